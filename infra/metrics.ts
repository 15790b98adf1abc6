import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Every metric docstream exposes, on one registry served at /metrics. */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly eventsApplied: Counter<'projection'>;
  readonly deadLetters: Counter<'consumer'>;
}

export function createMetrics({ processMetrics = false } = {}): Metrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'docstream_' });
  return {
    registry,
    httpRequestSeconds: new Histogram({
      name: 'docstream_http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventsApplied: new Counter({
      name: 'docstream_projection_events_applied_total',
      help: 'Log messages a projection has applied (including those it skips by type)',
      labelNames: ['projection'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'docstream_dead_letters_total',
      help: 'Messages sent to a dead-letter topic',
      labelNames: ['consumer'],
      registers: [registry],
    }),
  };
}
