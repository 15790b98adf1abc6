import { Type } from 'typebox';
import { EVENT_TYPES } from '../../schemas/catalog.ts';
import { Nullable, TenantQuery } from './document-schemas.ts';

export const WebhookParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const DeliveryParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  deliveryId: Type.String({ format: 'uuid' }),
});

const EventTypeSchema = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));

export const RegisterWebhookBody = Type.Object(
  {
    tenantId: Type.Optional(TenantQuery),
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'http(s) URL the events are POSTed to. Loopback, private, link-local and cloud metadata addresses are refused (400 WEBHOOK_URL_FORBIDDEN), as is anything not http(s) (400 WEBHOOK_URL_INVALID).',
    }),
    eventTypes: Type.Array(EventTypeSchema, {
      minItems: 1,
      maxItems: EVENT_TYPES.length,
      description: 'The event types delivered to the endpoint',
    }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const WebhookSchema = Type.Object({
  endpointId: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  disabledAt: Nullable(Type.String({ format: 'date-time' })),
});

export const RegisteredWebhookSchema = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({
    description:
      'The signing secret (whsec_…): shown only here. Each delivery carries webhook-id, webhook-timestamp and webhook-signature headers as Standard Webhooks define them.',
  }),
});

export const WebhookListSchema = Type.Object({ endpoints: Type.Array(WebhookSchema) });

const DeliveryStatus = Type.Union(
  [Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')],
  { description: 'pending (queued or being retried), delivered, or failed (attempts exhausted)' },
);

export const DeliveryQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  status: Type.Optional(DeliveryStatus),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
});

export const DeliverySchema = Type.Object({
  deliveryId: Type.String(),
  eventId: Type.String({ description: 'Also the webhook-id header of every attempt' }),
  eventType: Type.String(),
  aggregateId: Type.String({ description: 'The document, patient or batch the event is of' }),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  lastAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
});

export const DeliveryListSchema = Type.Object({ deliveries: Type.Array(DeliverySchema) });
