import {
  Kafka,
  type KafkaConfig,
  logLevel,
  Partitioners,
  type Producer,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import pLimit from 'p-limit';
import type { Config, KafkaSasl } from '../config.ts';
import type { Logger } from '../logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The one place a kafkajs client is made: brokers, client id, SASL credentials and logging come
 * from here.
 */
export function createKafka(
  config: Config,
  logger: Logger,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  const kafka = new Kafka({
    clientId: config.kafka.clientId,
    brokers: config.kafka.brokers,
    sasl: saslOptions(config.kafka.sasl),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, timestamp: _t, logger: _l, ...extra } = log;
        kafkaLogger[LEVELS[level] ?? 'info'](extra, message);
      },
    ...overrides,
  });
  // Every group member of docstream gets the same session: short enough that a killed process's
  // members are fenced out within seconds, so its successor joins without waiting long.
  const consumer = kafka.consumer.bind(kafka);
  kafka.consumer = (options) =>
    consumer({
      sessionTimeout: config.consumers.sessionTimeoutMs,
      heartbeatInterval: config.consumers.heartbeatIntervalMs,
      ...options,
    });
  return kafka;
}

function saslOptions(sasl: KafkaSasl | undefined): SASLOptions | undefined {
  if (sasl === undefined) return undefined;
  // A new object, so TypeScript can match its mechanism against each of kafkajs' variants.
  const { mechanism, username, password } = sasl;
  return { mechanism, username, password };
}

/**
 * Idempotent, acks=all, one request in flight so retries never reorder a key's events; the
 * murmur2 partitioner, as the Java clients use, so every client puts a key on the same partition.
 * A producer without a transaction goes through `idempotentSends`.
 */
export function createEventProducer(kafka: Kafka, config: Partial<ProducerConfig> = {}): Producer {
  const open = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      ...(config.transactionalId ? { retry: TRANSACTIONAL_RETRY } : {}),
      ...config,
    });
  return config.transactionalId ? open() : idempotentSends(open);
}

/**
 * kafkajs takes a partition's sequence numbers when it sends a request and gives them back when
 * the request fails, though a broker that died before answering may have written it. The next
 * request to that partition then goes out under those numbers: the new leader, which holds the
 * failed request's batch, takes it for a duplicate and answers with that batch's offset, so it is
 * acknowledged and never written. Concurrent calls make it worse: one takes the numbers while the
 * failed call retries, and that retry is written again under the next ones. A leader killed under
 * concurrent uploads lost one document this way and wrote another twice.
 *
 * So calls go one at a time, retries included, and after a call that failed the next goes through
 * a new kafkajs producer: a new producer id, whose sequence numbers nothing was written under.
 */
export function idempotentSends(open: () => Producer): Producer {
  let current = open();
  let renew = false;
  const oneAtATime = pLimit(1);
  const guarded = <T>(call: (producer: Producer) => Promise<T>) =>
    oneAtATime(async () => {
      if (renew) {
        await current.disconnect().catch(() => {});
        current = open();
        await current.connect();
        renew = false;
      }
      try {
        return await call(current);
      } catch (error) {
        renew = true;
        throw error;
      }
    });
  const transactionsOnly = (): never => {
    throw new Error('a producer without a transactionalId sends, and only sends');
  };
  return {
    events: current.events,
    isIdempotent: () => true,
    logger: () => current.logger(),
    // Listeners and transactions would belong to one of the producers it goes through.
    on: transactionsOnly,
    transaction: transactionsOnly,
    connect: () => oneAtATime(() => current.connect()),
    disconnect: () => oneAtATime(() => current.disconnect()),
    send: (record) => guarded((producer) => producer.send(record)),
    sendBatch: (batch) => guarded((producer) => producer.sendBatch(batch)),
  };
}

/**
 * A transaction begun right after the last one's commit finds the broker still writing that
 * commit's markers, a matter of milliseconds, and is answered CONCURRENT_TRANSACTIONS: kafkajs'
 * default first wait of 300 ms would then bound a producer to about three transactions a second.
 * As kafkajs' default for an idempotent producer (retries without end, waits doubling up to 30 s),
 * from a first wait of 10 ms.
 */
const TRANSACTIONAL_RETRY = { initialRetryTime: 10, retries: Number.MAX_SAFE_INTEGER };
