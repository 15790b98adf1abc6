import os from 'node:os';
import path from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

const EnvSchema = Type.Object({
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  KAFKA_BROKERS: Type.String({ default: '127.0.0.1:9092', minLength: 1 }),
  KAFKA_CLIENT_ID: Type.String({ default: 'docstream' }),
  TOPIC_PREFIX: Type.String({ default: 'docstream', pattern: '^[A-Za-z0-9._-]+$' }),
  TOPIC_PARTITIONS: Type.Integer({ default: 6, minimum: 1 }),
  TOPIC_REPLICATION_FACTOR: Type.Integer({ default: 1, minimum: 1 }),
  TOPIC_MIN_INSYNC_REPLICAS: Type.Integer({ default: 1, minimum: 1 }),
  TOPIC_RETENTION_MS: Type.Integer({ default: -1, minimum: -1 }),
  SCHEMA_REGISTRY_URL: Type.String({ default: 'http://127.0.0.1:8081' }),
  SCHEMA_REGISTRY_API_PATH: Type.String({ default: '/apis/ccompat/v7' }),
  DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5432/docstream' }),
  DOCSTREAM_DATA_DIR: Type.String({ default: '.data' }),
  BLOB_DIR: Type.Optional(Type.String()),
  UPLOAD_MAX_BYTES: Type.Integer({ default: 50 * 1024 * 1024, minimum: 1 }),
  READ_WAIT_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 0, maximum: 60000 }),
  BATCH_MAX_FILES_PER_REQUEST: Type.Integer({ default: 100, minimum: 1, maximum: 1000 }),
  BATCH_PROGRESS_POLL_MS: Type.Integer({ default: 500, minimum: 10 }),
  BATCH_COMPLETION_INTERVAL_MS: Type.Integer({ default: 500, minimum: 10 }),
  PROCESSORS: Type.String({ default: 'all', pattern: '^(all|none|[a-z-]+(,[a-z-]+)*)$' }),
  PROCESSOR_INSTANCE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  PROCESSOR_CONCURRENCY: Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
  PROCESSOR_MAX_RETRIES: Type.Integer({ default: 4, minimum: 0, maximum: 20 }),
  PROCESSOR_RETRY_BASE_MS: Type.Integer({ default: 200, minimum: 0 }),
  PROCESSOR_RETRY_MAX_MS: Type.Integer({ default: 10_000, minimum: 0 }),
  PROCESSOR_TRANSACTION_TIMEOUT_MS: Type.Integer({ default: 60_000, minimum: 1000 }),
  PROCESSOR_MAX_HOLD_MS: Type.Integer({ default: 15 * 60_000, minimum: 0 }),
  BREAKER_RESET_MS: Type.Integer({ default: 10_000, minimum: 10 }),
  OCR_WORKERS: Type.Integer({ default: os.availableParallelism(), minimum: 1, maximum: 64 }),
  OCR_LANGUAGES: Type.String({ default: 'eng+spa', pattern: '^[a-z_]{3,8}(\\+[a-z_]{3,8})*$' }),
  OCR_RECYCLE_AFTER_PAGES: Type.Integer({ default: 200, minimum: 1 }),
  TEXT_INLINE_MAX_BYTES: Type.Integer({ default: 64 * 1024, minimum: 0, maximum: 512 * 1024 }),
  MATCH_AUTO_THRESHOLD: Type.Number({ default: 0.95, minimum: 0, maximum: 1 }),
  MATCH_REVIEW_THRESHOLD: Type.Number({ default: 0.6, minimum: 0, maximum: 1 }),
});

type Env = Static<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  logLevel: Env['LOG_LEVEL'];
  http: { host: string; port: number };
  kafka: { brokers: string[]; clientId: string };
  topics: {
    prefix: string;
    partitions: number;
    replicationFactor: number;
    minInsyncReplicas: number;
    retentionMs: number;
  };
  registry: { url: string };
  database: { url: string };
  blobs: { dir: string };
  upload: { maxBytes: number };
  reads: { waitTimeoutMs: number };
  /** Files one request may add to a batch; how often progress and completion are looked at. */
  batches: { maxFilesPerRequest: number; progressPollMs: number; completionIntervalMs: number };
  processors: {
    /** Which processors this process runs: `all`, `none`, or a comma-separated list of names. */
    run: string[] | 'all';
    /** Names this process's transactional producers: give each replica its own, stable one. */
    instanceId: string;
    concurrency: number;
    maxRetries: number;
    retryBaseMs: number;
    retryMaxMs: number;
    transactionTimeoutMs: number;
    /** How long an event waits on a dependency whose breaker is open before it fails. */
    maxHoldMs: number;
    breakerResetMs: number;
  };
  ocr: { workers: number; languages: string; recycleAfterPages: number };
  text: { inlineMaxBytes: number };
  /** Match score at or above `autoThreshold` assigns; from `reviewThreshold` a person decides. */
  matching: { autoThreshold: number; reviewThreshold: number };
  dataDir: string;
}

/** Reads and validates the environment once; every default works against the local stack. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw = Value.Convert(
    EnvSchema,
    Value.Default(EnvSchema, Value.Clean(EnvSchema, { ...env })),
  );
  if (!Value.Check(EnvSchema, raw)) {
    const problems = [...Value.Errors(EnvSchema, raw)].map(
      (e) => `${e.instancePath.slice(1) || 'env'} ${e.message}`,
    );
    throw new ConfigError([...new Set(problems)]);
  }
  if (raw.MATCH_REVIEW_THRESHOLD > raw.MATCH_AUTO_THRESHOLD) {
    throw new ConfigError(['MATCH_REVIEW_THRESHOLD must not exceed MATCH_AUTO_THRESHOLD']);
  }
  if (raw.TOPIC_MIN_INSYNC_REPLICAS > raw.TOPIC_REPLICATION_FACTOR) {
    throw new ConfigError(['TOPIC_MIN_INSYNC_REPLICAS must not exceed TOPIC_REPLICATION_FACTOR']);
  }
  const dataDir = path.resolve(raw.DOCSTREAM_DATA_DIR);
  return {
    logLevel: raw.LOG_LEVEL,
    http: { host: raw.HOST, port: raw.PORT },
    kafka: {
      brokers: raw.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      clientId: raw.KAFKA_CLIENT_ID,
    },
    topics: {
      prefix: raw.TOPIC_PREFIX,
      partitions: raw.TOPIC_PARTITIONS,
      replicationFactor: raw.TOPIC_REPLICATION_FACTOR,
      minInsyncReplicas: raw.TOPIC_MIN_INSYNC_REPLICAS,
      retentionMs: raw.TOPIC_RETENTION_MS,
    },
    registry: { url: raw.SCHEMA_REGISTRY_URL.replace(/\/$/, '') + raw.SCHEMA_REGISTRY_API_PATH },
    database: { url: raw.DATABASE_URL },
    blobs: { dir: path.resolve(raw.BLOB_DIR ?? path.join(dataDir, 'blobs')) },
    upload: { maxBytes: raw.UPLOAD_MAX_BYTES },
    reads: { waitTimeoutMs: raw.READ_WAIT_TIMEOUT_MS },
    batches: {
      maxFilesPerRequest: raw.BATCH_MAX_FILES_PER_REQUEST,
      progressPollMs: raw.BATCH_PROGRESS_POLL_MS,
      completionIntervalMs: raw.BATCH_COMPLETION_INTERVAL_MS,
    },
    processors: {
      run:
        raw.PROCESSORS === 'all'
          ? 'all'
          : raw.PROCESSORS === 'none'
            ? []
            : raw.PROCESSORS.split(','),
      instanceId: raw.PROCESSOR_INSTANCE_ID ?? `${os.hostname()}-${process.pid}`,
      concurrency: raw.PROCESSOR_CONCURRENCY,
      maxRetries: raw.PROCESSOR_MAX_RETRIES,
      retryBaseMs: raw.PROCESSOR_RETRY_BASE_MS,
      retryMaxMs: raw.PROCESSOR_RETRY_MAX_MS,
      transactionTimeoutMs: raw.PROCESSOR_TRANSACTION_TIMEOUT_MS,
      maxHoldMs: raw.PROCESSOR_MAX_HOLD_MS,
      breakerResetMs: raw.BREAKER_RESET_MS,
    },
    ocr: {
      workers: raw.OCR_WORKERS,
      languages: raw.OCR_LANGUAGES,
      recycleAfterPages: raw.OCR_RECYCLE_AFTER_PAGES,
    },
    text: { inlineMaxBytes: raw.TEXT_INLINE_MAX_BYTES },
    matching: {
      autoThreshold: raw.MATCH_AUTO_THRESHOLD,
      reviewThreshold: raw.MATCH_REVIEW_THRESHOLD,
    },
    dataDir,
  };
}
