import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ConsumerReport, type HealthCheck, healthRoutes } from '../api/routes/health.ts';
import { metricsRoutes } from '../api/routes/metrics.ts';
import type { Breakers } from '../infra/breakers.ts';
import type { Metrics } from '../infra/metrics.ts';

/**
 * What a processors-only process serves so it can be probed and scraped: `GET /health` and
 * `GET /metrics`, the same answers as the API's. It serves no data and takes no credential, so
 * its port is for the cluster's probes and Prometheus, not for clients.
 */
export async function startOpsServer(options: {
  host: string;
  port: number;
  checks: readonly HealthCheck[];
  breakers: Pick<Breakers, 'states'>;
  consumers: () => Promise<ConsumerReport>;
  metrics: Metrics;
}): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
  await server.register(healthRoutes, {
    checks: options.checks,
    breakers: options.breakers,
    consumers: options.consumers,
  });
  await server.register(metricsRoutes, { metrics: options.metrics });
  const url = await server.listen({ host: options.host, port: options.port });
  return { server, url };
}
