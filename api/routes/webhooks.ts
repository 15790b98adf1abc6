import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DeliveryLog } from '../../producers/webhooks/delivery-log.ts';
import type { WebhookEndpoints } from '../../producers/webhooks/endpoints.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { TenantOnlyQuery } from './batch-schemas.ts';
import {
  DeliveryListSchema,
  DeliveryParams,
  DeliveryQuery,
  DeliverySchema,
  RegisteredWebhookSchema,
  RegisterWebhookBody,
  WebhookListSchema,
  WebhookParams,
  WebhookSchema,
} from './webhook-schemas.ts';

const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export interface WebhookRoutesOptions {
  endpoints: WebhookEndpoints;
  deliveries: DeliveryLog;
}

/** A tenant's admin registers endpoints for event types, reads their delivery log, redelivers. */
export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (
  app,
  { endpoints, deliveries },
) => {
  app.post(
    '/webhooks',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: 'Register a webhook endpoint for event types',
        description:
          'Every event of the tenant whose type is listed, from now on, is POSTed to the url as JSON (type, timestamp, metadata, data), signed per Standard Webhooks with the secret returned here once. At least once, in order per document (per aggregate), retried with backoff; a delivery that fails every attempt is recorded as failed and the next goes on.',
        body: RegisterWebhookBody,
        response: { 201: RegisteredWebhookSchema, ...errors },
      },
    },
    async (request, reply) => {
      const who = principalOf(request);
      const { url, eventTypes, description } = request.body;
      const registered = await endpoints.register(
        who.tenantId,
        { url, eventTypes, description: description ?? null },
        who.actor,
      );
      return reply
        .status(201)
        .header('location', `/webhooks/${registered.endpointId}`)
        .send(registered);
    },
  );

  app.get(
    '/webhooks',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: "The tenant's webhook endpoints, disabled ones included",
        querystring: TenantOnlyQuery,
        response: { 200: WebhookListSchema, ...errors },
      },
    },
    async (request) => ({ endpoints: await endpoints.list(principalOf(request).tenantId) }),
  );

  app.get(
    '/webhooks/:id',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: 'One webhook endpoint (its secret is not shown again)',
        params: WebhookParams,
        querystring: TenantOnlyQuery,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => endpoints.get(principalOf(request).tenantId, request.params.id),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: 'Disable a webhook endpoint',
        description:
          'Nothing more is delivered to it; deliveries still pending are recorded as failed. The endpoint and its delivery log stay readable.',
        params: WebhookParams,
        querystring: TenantOnlyQuery,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => endpoints.disable(principalOf(request).tenantId, request.params.id),
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: "The endpoint's delivery log, newest first",
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: { 200: DeliveryListSchema, ...errors },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const page = status ? { limit, status } : { limit };
      return {
        deliveries: await deliveries.list(principalOf(request).tenantId, request.params.id, page),
      };
    },
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: 'Send a delivered or failed delivery again',
        description:
          'Queues it with a fresh budget of attempts; the body and webhook-id are those of the first attempt. A delivery still pending is refused (409 WEBHOOK_DELIVERY_PENDING).',
        params: DeliveryParams,
        querystring: TenantOnlyQuery,
        response: { 202: DeliverySchema, ...errors },
      },
    },
    async (request, reply) => {
      const { id, deliveryId } = request.params;
      const queued = await deliveries.redeliver(principalOf(request).tenantId, id, deliveryId);
      return reply.status(202).send(queued);
    },
  );
};
