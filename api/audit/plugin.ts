import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RecordRead } from '../../producers/audit/read-audit.ts';
import { type IdsOfRead, NOTHING_READ, type ReadIds } from './reads.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks a read of patient data: how to tell, from its payload, which ids it returned. */
    audit?: IdsOfRead;
  }
}

export interface AuditOptions {
  record: RecordRead;
}

/**
 * Records every response of a route with `config.audit` that an authenticated principal got,
 * refusals included: who, which route, the ids it returned (never the data), and the status.
 * Recording only hands the record over (see `createReadAudit`), so it adds nothing to waiting.
 */
export const auditPlugin = fp(async (app: FastifyInstance, { record }: AuditOptions) => {
  const returned = new WeakMap<FastifyRequest, ReadIds>();

  // The payload as the handler returned it, before serialization: ids are read from objects.
  app.addHook('preSerialization', async (request, reply, payload) => {
    const idsOf = request.routeOptions.config.audit;
    if (idsOf && reply.statusCode < 300) returned.set(request, idsOf(payload, request.params));
    return payload;
  });
  // Bytes (a page image) are never serialized: their ids come from the path parameters.
  app.addHook('onSend', async (request, reply, payload) => {
    const idsOf = request.routeOptions.config.audit;
    if (idsOf && reply.statusCode < 300 && Buffer.isBuffer(payload) && !returned.has(request)) {
      returned.set(request, idsOf(payload, request.params));
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const who = request.principal;
    if (!request.routeOptions.config.audit || !who) return;
    record({
      tenantId: who.tenantId,
      principal: who.actor,
      route: request.routeOptions.url ?? request.url,
      method: request.method,
      ...(returned.get(request) ?? NOTHING_READ),
      status: reply.statusCode,
      correlationId: request.id,
    });
  });
});
