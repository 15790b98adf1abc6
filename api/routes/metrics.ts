import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Metrics } from '../../infra/metrics.ts';

export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: Metrics }> = async (
  app,
  { metrics: { registry, httpRequestSeconds } },
) => {
  app.addHook('onResponse', async (request, reply) => {
    httpRequestSeconds.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    '/metrics',
    {
      config: { access: 'ops' },
      schema: {
        summary: 'Metrics in the Prometheus text format',
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
};
