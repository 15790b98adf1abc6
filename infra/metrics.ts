import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric docstream exposes, on one registry served at /metrics. */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly eventsApplied: Counter<'projection'>;
  readonly deadLetters: Counter<'consumer'>;
  readonly processorEvents: Counter<'processor' | 'outcome'>;
  readonly processorChunkSeconds: Histogram<'processor'>;
  /** 0 closed, 0.5 half-open, 1 open. */
  readonly breakerState: Gauge<'dependency'>;
  readonly ocrPageSeconds: Histogram;
  readonly ocrWorkersRecycled: Gauge;
  /** Audit records appended to the log, and those dropped because the log was down too long. */
  readonly auditRecords: Counter<'outcome'>;
  /** Webhook attempts by outcome: delivered, retrying (failed, tried again) or failed (given up). */
  readonly webhookDeliveries: Counter<'outcome'>;
  /** From an event's occurrence to its delivery's acknowledgement by the receiver. */
  readonly webhookDeliverySeconds: Histogram;
  /** Restarts of a crashed consumer (processor, projection) by its supervisor. */
  readonly consumerRestarts: Counter<'consumer'>;
  /** 1 while a consumer of this process runs, 0 from its crash until it is running again. */
  readonly consumerUp: Gauge<'consumer'>;
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
    processorEvents: new Counter({
      name: 'docstream_processor_messages_total',
      help: 'Messages a processor consumed, by outcome: emitted, skipped or failed (dead-lettered)',
      labelNames: ['processor', 'outcome'],
      registers: [registry],
    }),
    processorChunkSeconds: new Histogram({
      name: 'docstream_processor_chunk_duration_seconds',
      help: 'Time to decide and commit one transaction of consumed messages',
      labelNames: ['processor'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'docstream_breaker_state',
      help: 'Circuit breaker per external dependency: 0 closed, 0.5 half-open, 1 open',
      labelNames: ['dependency'],
      registers: [registry],
    }),
    ocrPageSeconds: new Histogram({
      name: 'docstream_ocr_page_duration_seconds',
      help: 'Time to read one page image with the OCR pool, queueing included',
      buckets: [0.5, 1, 2, 4, 8, 16, 32, 64, 120],
      registers: [registry],
    }),
    ocrWorkersRecycled: new Gauge({
      name: 'docstream_ocr_workers_recycled',
      help: 'OCR workers replaced so far (their WebAssembly memory only grows)',
      registers: [registry],
    }),
    auditRecords: new Counter({
      name: 'docstream_audit_records_total',
      help: 'Reads of patient data recorded on the audit log, by outcome: appended or dropped',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'docstream_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered, retrying or failed (given up)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    webhookDeliverySeconds: new Histogram({
      name: 'docstream_webhook_delivery_latency_seconds',
      help: "Time from an event's occurrence to the receiver's acknowledgement of its delivery",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    consumerRestarts: new Counter({
      name: 'docstream_consumer_restarts_total',
      help: 'Restarts of a crashed consumer (a processor or a projection) by its supervisor',
      labelNames: ['consumer'],
      registers: [registry],
    }),
    consumerUp: new Gauge({
      name: 'docstream_consumer_up',
      help: 'Whether a consumer of this process runs (1) or has crashed and waits to restart (0)',
      labelNames: ['consumer'],
      registers: [registry],
    }),
  };
}
