import os from 'node:os';
import path from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { RegistryAuth } from '../schemas/codec.ts';

const EnvSchema = Type.Object({
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  OPS_OPEN_ON_LOOPBACK: Type.Boolean({ default: true }),
  RATE_LIMIT_MAX: Type.Integer({ default: 3000, minimum: 1 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ default: 60_000, minimum: 1000 }),
  // How long a verified API key is believed without asking PostgreSQL again (0: ask every time).
  API_KEY_CACHE_MS: Type.Integer({ default: 5000, minimum: 0, maximum: 60_000 }),
  API_KEY_CACHE_SIZE: Type.Integer({ default: 10_000, minimum: 1 }),
  OIDC_ISSUER: Type.String({
    default: 'http://127.0.0.1:8180/realms/docstream',
    pattern: '^(https?://\\S+)?$',
  }),
  OIDC_AUDIENCE: Type.String({ default: 'docstream-api', minLength: 1 }),
  OIDC_TENANT_CLAIM: Type.String({ default: 'tenant', minLength: 1 }),
  OIDC_ROLES_CLAIM: Type.String({ default: 'roles', minLength: 1 }),
  OIDC_WEB_CLIENT_ID: Type.String({ default: 'docstream-web', minLength: 1 }),
  KAFKA_BROKERS: Type.String({ default: '127.0.0.1:9092', minLength: 1 }),
  KAFKA_CLIENT_ID: Type.String({ default: 'docstream' }),
  KAFKA_SASL_MECHANISM: Type.Enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512'], {
    default: 'scram-sha-512',
  }),
  KAFKA_SASL_USERNAME: Type.String({ default: 'docstream', minLength: 1 }),
  // The password infra/stack/stack.sh gives the local stack's `docstream` principal: local only,
  // every other deployment sets its own.
  KAFKA_SASL_PASSWORD: Type.String({ default: 'docstream-local-only', minLength: 1 }),
  TOPIC_PREFIX: Type.String({ default: 'docstream', pattern: '^[A-Za-z0-9._-]+$' }),
  TOPIC_PARTITIONS: Type.Integer({ default: 6, minimum: 1 }),
  TOPIC_REPLICATION_FACTOR: Type.Integer({ default: 1, minimum: 1 }),
  TOPIC_MIN_INSYNC_REPLICAS: Type.Integer({ default: 1, minimum: 1 }),
  TOPIC_RETENTION_MS: Type.Integer({ default: -1, minimum: -1 }),
  SCHEMA_REGISTRY_URL: Type.String({ default: 'http://127.0.0.1:8081' }),
  SCHEMA_REGISTRY_API_PATH: Type.String({ default: '/apis/ccompat/v7' }),
  // The client of the local stack's Keycloak realm that may write schemas, and its secret: local
  // only, every other deployment sets its own. An empty username sends no credential.
  SCHEMA_REGISTRY_USERNAME: Type.String({ default: 'docstream-registry' }),
  SCHEMA_REGISTRY_PASSWORD: Type.String({ default: 'docstream-registry-local-only' }),
  DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5432/docstream' }),
  DATABASE_APP_ROLE: Type.String({ default: 'docstream_app', pattern: '^[a-z_][a-z0-9_]{0,62}$' }),
  DATABASE_APP_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_KEYS_ROLE: Type.String({
    default: 'docstream_keys',
    pattern: '^[a-z_][a-z0-9_]{0,62}$',
  }),
  DATABASE_KEYS_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  // The key-encryption key: 32 random bytes in base64, or a file holding them (read at start).
  KEY_ENCRYPTION_KEY: Type.Optional(Type.String()),
  KEY_ENCRYPTION_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  DATA_KEY_CACHE_SIZE: Type.Integer({ default: 10_000, minimum: 0 }),
  DATA_KEY_CACHE_TTL_MS: Type.Integer({ default: 60_000, minimum: 0 }),
  DOCSTREAM_DATA_DIR: Type.String({ default: '.data' }),
  BLOB_DIR: Type.Optional(Type.String()),
  UPLOAD_MAX_BYTES: Type.Integer({ default: 50 * 1024 * 1024, minimum: 1 }),
  READ_WAIT_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 0, maximum: 60000 }),
  AUDIT_READS: Type.Boolean({ default: true }),
  BATCH_MAX_FILES_PER_REQUEST: Type.Integer({ default: 100, minimum: 1, maximum: 1000 }),
  BATCH_PROGRESS_POLL_MS: Type.Integer({ default: 500, minimum: 10 }),
  BATCH_COMPLETION_INTERVAL_MS: Type.Integer({ default: 500, minimum: 10 }),
  PROCESSORS: Type.String({ default: 'all', pattern: '^(all|none|[a-z-]+(,[a-z-]+)*)$' }),
  PROCESSOR_INSTANCE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  PROCESSORS_OPS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  PROCESSOR_CONCURRENCY: Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
  PROCESSOR_CHUNK_MAX_MESSAGES: Type.Integer({ default: 500, minimum: 1, maximum: 10_000 }),
  PROCESSOR_CHUNK_MAX_MS: Type.Integer({ default: 250, minimum: 0 }),
  PROCESSOR_PARTITIONS_CONCURRENTLY: Type.Integer({ default: 3, minimum: 1, maximum: 64 }),
  PROCESSOR_MAX_RETRIES: Type.Integer({ default: 4, minimum: 0, maximum: 20 }),
  PROCESSOR_RETRY_BASE_MS: Type.Integer({ default: 200, minimum: 0 }),
  PROCESSOR_RETRY_MAX_MS: Type.Integer({ default: 10_000, minimum: 0 }),
  PROCESSOR_TRANSACTION_TIMEOUT_MS: Type.Integer({ default: 60_000, minimum: 1000 }),
  PROCESSOR_MAX_HOLD_MS: Type.Integer({ default: 15 * 60_000, minimum: 0 }),
  BREAKER_RESET_MS: Type.Integer({ default: 10_000, minimum: 10 }),
  STARTUP_TIMEOUT_MS: Type.Integer({ default: 120_000, minimum: 0 }),
  KAFKA_SESSION_TIMEOUT_MS: Type.Integer({ default: 6000, minimum: 1000 }),
  KAFKA_HEARTBEAT_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 100 }),
  CONSUMER_RESTART_BASE_MS: Type.Integer({ default: 1000, minimum: 10 }),
  CONSUMER_RESTART_MAX_MS: Type.Integer({ default: 30_000, minimum: 10 }),
  PROJECTION_MAX_RETRIES: Type.Integer({ default: 3, minimum: 0, maximum: 20 }),
  PROJECTION_RETRY_BASE_MS: Type.Integer({ default: 100, minimum: 0 }),
  HEALTH_MAX_LAG: Type.Integer({ default: 10_000, minimum: 0 }),
  HEALTH_MAX_SECONDS_BEHIND: Type.Integer({ default: 300, minimum: 0 }),
  CONSUMER_LAG_SAMPLE_MS: Type.Integer({ default: 5000, minimum: 50 }),
  OCR_WORKERS: Type.Integer({ default: os.availableParallelism(), minimum: 1, maximum: 64 }),
  OCR_LANGUAGES: Type.String({ default: 'eng+spa', pattern: '^[a-z_]{3,8}(\\+[a-z_]{3,8})*$' }),
  OCR_RECYCLE_AFTER_PAGES: Type.Integer({ default: 200, minimum: 1 }),
  ARCHIVE_MAX_DEPTH: Type.Integer({ default: 2, minimum: 0, maximum: 10 }),
  ARCHIVE_MAX_ENTRIES: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
  ARCHIVE_MAX_EXPANDED_BYTES: Type.Integer({ default: 256 * 1024 * 1024, minimum: 1 }),
  ARCHIVE_MAX_RATIO: Type.Integer({ default: 100, minimum: 1 }),
  TEXT_INLINE_MAX_BYTES: Type.Integer({ default: 64 * 1024, minimum: 0, maximum: 512 * 1024 }),
  // PostgreSQL's text search cannot index much past a MiB of text on one page.
  TEXT_PAGE_MAX_BYTES: Type.Integer({ default: 512 * 1024, minimum: 1024, maximum: 1024 * 1024 }),
  OFFLOAD_THREADS: Type.Integer({ default: 1, minimum: 1, maximum: 64 }),
  OFFLOAD_MIN_BYTES: Type.Integer({ default: 256 * 1024, minimum: 0 }),
  MATCH_AUTO_THRESHOLD: Type.Number({ default: 0.95, minimum: 0, maximum: 1 }),
  MATCH_REVIEW_THRESHOLD: Type.Number({ default: 0.6, minimum: 0, maximum: 1 }),
  WEBHOOKS: Type.Boolean({ default: true }),
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  // 32 bytes in base64: seals the endpoints' signing secrets in the database (AES-256-GCM).
  WEBHOOK_SECRET_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' })),
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({ default: 8, minimum: 1, maximum: 50 }),
  WEBHOOK_RETRY_BASE_MS: Type.Integer({ default: 1000, minimum: 1 }),
  WEBHOOK_RETRY_MAX_MS: Type.Integer({ default: 15 * 60_000, minimum: 1 }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
  WEBHOOK_CONCURRENCY: Type.Integer({ default: 16, minimum: 1, maximum: 256 }),
  WEBHOOK_POLL_MS: Type.Integer({ default: 500, minimum: 10 }),
  RETENTION: Type.Boolean({ default: true }),
  RETENTION_INTERVAL_MS: Type.Integer({ default: 60_000, minimum: 50 }),
  RETENTION_TRASH_DELAY_HOURS: Type.Number({ default: 720, minimum: 0 }),
  RETENTION_MAX_ERASURES_PER_PASS: Type.Integer({ default: 100, minimum: 1, maximum: 10_000 }),
  LOG_DIGEST: Type.Boolean({ default: true }),
  LOG_DIGEST_EVERY_RECORDS: Type.Integer({ default: 1000, minimum: 1, maximum: 10_000 }),
  LOG_DIGEST_INTERVAL_MS: Type.Integer({ default: 60_000, minimum: 50 }),
  // An Ed25519 private key in PKCS#8 PEM, inline or in a file; neither set: a key kept in the data
  // directory, made on first start (local stacks and tests).
  LOG_SIGNING_KEY: Type.Optional(Type.String({ minLength: 1 })),
  LOG_SIGNING_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
});

type Env = Static<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface Config {
  logLevel: Env['LOG_LEVEL'];
  /** `opsOpenOnLoopback`: /metrics and /docs answer loopback callers without a credential. */
  http: {
    host: string;
    port: number;
    opsOpenOnLoopback: boolean;
    /** Requests one principal may make per window. */
    rateLimit: { max: number; windowMs: number };
    /** Verified API keys kept this long, at most `size` of them: a revocation's longest delay. */
    apiKeyCache: { ttlMs: number; size: number };
  };
  /** `sasl` is undefined when KAFKA_SASL_MECHANISM is `none`: the broker takes anyone. */
  kafka: { brokers: string[]; clientId: string; sasl: KafkaSasl | undefined };
  topics: {
    prefix: string;
    partitions: number;
    replicationFactor: number;
    minInsyncReplicas: number;
    retentionMs: number;
  };
  /** `auth` (HTTP basic) is undefined when SCHEMA_REGISTRY_USERNAME is empty. */
  registry: { url: string; auth: RegistryAuth | undefined };
  /** The OpenID Connect issuer whose tokens the API accepts; `issuer` empty: API keys only. */
  oidc: { issuer: string; audience: string; tenantClaim: string; rolesClaim: string };
  /** The review web app: the public OpenID Connect client it signs people in with. */
  web: { oidcClientId: string };
  /**
   * `url` owns the tables: migrations, the keys command, rebuilds and the jobs that span tenants
   * use it. The API and the projections connect as `appRole` at `appUrl` (the same server and
   * database), a role that owns nothing and sees only the rows of the tenant its transaction sets.
   */
  database: {
    url: string;
    appUrl: string;
    appRole: string;
    appPassword: string | undefined;
    /** The key service's role (`keysUrl`): the only one, beside the owner, with the key store. */
    keysUrl: string;
    keysRole: string;
    keysPassword: string | undefined;
  };
  /**
   * The key-encryption key (`kek.value` from KEY_ENCRYPTION_KEY, else the file `kek.file`,
   * `<data dir>/secrets/key-encryption-key` by default) and the cache of unwrapped data keys.
   */
  keys: {
    kek: { value: string | undefined; file: string };
    cache: { size: number; ttlMs: number };
  };
  blobs: { dir: string };
  upload: { maxBytes: number };
  reads: { waitTimeoutMs: number };
  /** `reads`: whether each read of patient data is recorded on the audit log. */
  audit: { reads: boolean };
  /** Files one request may add to a batch; how often progress and completion are looked at. */
  batches: { maxFilesPerRequest: number; progressPollMs: number; completionIntervalMs: number };
  processors: {
    /** Which processors this process runs: `all`, `none`, or a comma-separated list of names. */
    run: string[] | 'all';
    /** Names this process's transactional producers: give each replica its own, stable one. */
    instanceId: string;
    /** A processors-only process serves /health and /metrics on it (on HOST) when set. */
    opsPort: number | undefined;
    concurrency: number;
    /** Messages, and time deciding them, one Kafka transaction takes at most. */
    chunk: { maxMessages: number; maxMs: number };
    /** Partitions each processor decides side by side, each with a transactional producer. */
    partitionsConcurrently: number;
    maxRetries: number;
    retryBaseMs: number;
    retryMaxMs: number;
    transactionTimeoutMs: number;
    /** How long an event waits on a dependency whose breaker is open before it fails. */
    maxHoldMs: number;
    breakerResetMs: number;
  };
  /** How long start-up retries transient faults of Kafka, the registry and PostgreSQL. */
  startup: { timeoutMs: number };
  /**
   * Every consumer group member of this process: its session timeout (how soon a dead member is
   * fenced out of its group), how a crashed consumer is restarted, and when /health calls a
   * group lagging (`maxLag` messages, or its oldest unprocessed event `maxSecondsBehind` old,
   * read from the brokers every `lagSampleMs`).
   */
  consumers: {
    sessionTimeoutMs: number;
    heartbeatIntervalMs: number;
    restart: { baseMs: number; maxMs: number };
    maxLag: number;
    maxSecondsBehind: number;
    lagSampleMs: number;
  };
  /** Tries of an event whose statements fail, backing off from `retryBaseMs`, before its dead letter. */
  projections: { maxRetries: number; retryBaseMs: number };
  ocr: { workers: number; languages: string; recycleAfterPages: number };
  /** Text larger than `inlineMaxBytes` goes to the blob store; a page's past `pageMaxBytes` is cut. */
  text: { inlineMaxBytes: number; pageMaxBytes: number };
  /** Worker threads for parsing and analysing large inputs; inputs under `minBytes` stay inline. */
  offload: { threads: number; minBytes: number };
  /** What one uploaded zip or e-mail may expand to. */
  archives: { maxDepth: number; maxEntries: number; maxExpandedBytes: number; maxRatio: number };
  /** Match score at or above `autoThreshold` assigns; from `reviewThreshold` a person decides. */
  matching: { autoThreshold: number; reviewThreshold: number };
  /**
   * Signed webhooks, delivered with the API. `allowPrivate`: loopback and private addresses may
   * be sent to (link-local and cloud metadata never are). A delivery gets `maxAttempts`, backing
   * off from `retryBaseMs` to `retryMaxMs`; due retries are looked for every `pollMs`.
   */
  webhooks: {
    enabled: boolean;
    allowPrivate: boolean;
    /** Seals endpoint secrets at rest; undefined: they are stored as they are. */
    secretKey: Buffer | undefined;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    timeoutMs: number;
    concurrency: number;
    pollMs: number;
  };
  /**
   * The digest chain of every topic: a signed LogDigest per partition once `everyRecords` records
   * wait, or once the oldest has waited `intervalMs`. The signing key is `signingKey.pem`, else the
   * file; `createIfMissing` only for the default file in the data directory.
   */
  /**
   * Tenants' retention policies, applied every `intervalMs` by one process at a time: at most
   * `maxErasuresPerPass` documents erased per pass. A deleted document stays in the trash for the
   * tenant's delay, else `trashDelayHours`.
   */
  retention: {
    enabled: boolean;
    intervalMs: number;
    trashDelayHours: number;
    maxErasuresPerPass: number;
  };
  logDigest: {
    enabled: boolean;
    everyRecords: number;
    intervalMs: number;
    signingKey: { pem: string | undefined; file: string; createIfMissing: boolean };
  };
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
  if (raw.KAFKA_HEARTBEAT_INTERVAL_MS >= raw.KAFKA_SESSION_TIMEOUT_MS) {
    throw new ConfigError(['KAFKA_HEARTBEAT_INTERVAL_MS must be below KAFKA_SESSION_TIMEOUT_MS']);
  }
  if (raw.SCHEMA_REGISTRY_USERNAME && !raw.SCHEMA_REGISTRY_PASSWORD) {
    throw new ConfigError(['SCHEMA_REGISTRY_PASSWORD must be set with SCHEMA_REGISTRY_USERNAME']);
  }
  const dataDir = path.resolve(raw.DOCSTREAM_DATA_DIR);
  return {
    logLevel: raw.LOG_LEVEL,
    http: {
      host: raw.HOST,
      port: raw.PORT,
      opsOpenOnLoopback: raw.OPS_OPEN_ON_LOOPBACK,
      rateLimit: { max: raw.RATE_LIMIT_MAX, windowMs: raw.RATE_LIMIT_WINDOW_MS },
      apiKeyCache: { ttlMs: raw.API_KEY_CACHE_MS, size: raw.API_KEY_CACHE_SIZE },
    },
    kafka: {
      brokers: raw.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      clientId: raw.KAFKA_CLIENT_ID,
      sasl:
        raw.KAFKA_SASL_MECHANISM === 'none'
          ? undefined
          : {
              mechanism: raw.KAFKA_SASL_MECHANISM,
              username: raw.KAFKA_SASL_USERNAME,
              password: raw.KAFKA_SASL_PASSWORD,
            },
    },
    topics: {
      prefix: raw.TOPIC_PREFIX,
      partitions: raw.TOPIC_PARTITIONS,
      replicationFactor: raw.TOPIC_REPLICATION_FACTOR,
      minInsyncReplicas: raw.TOPIC_MIN_INSYNC_REPLICAS,
      retentionMs: raw.TOPIC_RETENTION_MS,
    },
    oidc: {
      issuer: raw.OIDC_ISSUER.replace(/\/$/, ''),
      audience: raw.OIDC_AUDIENCE,
      tenantClaim: raw.OIDC_TENANT_CLAIM,
      rolesClaim: raw.OIDC_ROLES_CLAIM,
    },
    registry: {
      url: raw.SCHEMA_REGISTRY_URL.replace(/\/$/, '') + raw.SCHEMA_REGISTRY_API_PATH,
      auth: raw.SCHEMA_REGISTRY_USERNAME
        ? { username: raw.SCHEMA_REGISTRY_USERNAME, password: raw.SCHEMA_REGISTRY_PASSWORD }
        : undefined,
    },
    database: {
      url: raw.DATABASE_URL,
      appUrl: asRole(raw.DATABASE_URL, raw.DATABASE_APP_ROLE, raw.DATABASE_APP_PASSWORD),
      appRole: raw.DATABASE_APP_ROLE,
      appPassword: raw.DATABASE_APP_PASSWORD,
      keysUrl: asRole(raw.DATABASE_URL, raw.DATABASE_KEYS_ROLE, raw.DATABASE_KEYS_PASSWORD),
      keysRole: raw.DATABASE_KEYS_ROLE,
      keysPassword: raw.DATABASE_KEYS_PASSWORD,
    },
    keys: {
      kek: {
        value: raw.KEY_ENCRYPTION_KEY,
        file: path.resolve(
          raw.KEY_ENCRYPTION_KEY_FILE ?? path.join(dataDir, 'secrets', 'key-encryption-key'),
        ),
      },
      cache: { size: raw.DATA_KEY_CACHE_SIZE, ttlMs: raw.DATA_KEY_CACHE_TTL_MS },
    },
    blobs: { dir: path.resolve(raw.BLOB_DIR ?? path.join(dataDir, 'blobs')) },
    upload: { maxBytes: raw.UPLOAD_MAX_BYTES },
    reads: { waitTimeoutMs: raw.READ_WAIT_TIMEOUT_MS },
    audit: { reads: raw.AUDIT_READS },
    web: { oidcClientId: raw.OIDC_WEB_CLIENT_ID },
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
      opsPort: raw.PROCESSORS_OPS_PORT,
      concurrency: raw.PROCESSOR_CONCURRENCY,
      chunk: { maxMessages: raw.PROCESSOR_CHUNK_MAX_MESSAGES, maxMs: raw.PROCESSOR_CHUNK_MAX_MS },
      partitionsConcurrently: raw.PROCESSOR_PARTITIONS_CONCURRENTLY,
      maxRetries: raw.PROCESSOR_MAX_RETRIES,
      retryBaseMs: raw.PROCESSOR_RETRY_BASE_MS,
      retryMaxMs: raw.PROCESSOR_RETRY_MAX_MS,
      transactionTimeoutMs: raw.PROCESSOR_TRANSACTION_TIMEOUT_MS,
      maxHoldMs: raw.PROCESSOR_MAX_HOLD_MS,
      breakerResetMs: raw.BREAKER_RESET_MS,
    },
    startup: { timeoutMs: raw.STARTUP_TIMEOUT_MS },
    consumers: {
      sessionTimeoutMs: raw.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: raw.KAFKA_HEARTBEAT_INTERVAL_MS,
      restart: { baseMs: raw.CONSUMER_RESTART_BASE_MS, maxMs: raw.CONSUMER_RESTART_MAX_MS },
      maxLag: raw.HEALTH_MAX_LAG,
      maxSecondsBehind: raw.HEALTH_MAX_SECONDS_BEHIND,
      lagSampleMs: raw.CONSUMER_LAG_SAMPLE_MS,
    },
    projections: {
      maxRetries: raw.PROJECTION_MAX_RETRIES,
      retryBaseMs: raw.PROJECTION_RETRY_BASE_MS,
    },
    ocr: {
      workers: raw.OCR_WORKERS,
      languages: raw.OCR_LANGUAGES,
      recycleAfterPages: raw.OCR_RECYCLE_AFTER_PAGES,
    },
    text: { inlineMaxBytes: raw.TEXT_INLINE_MAX_BYTES, pageMaxBytes: raw.TEXT_PAGE_MAX_BYTES },
    offload: { threads: raw.OFFLOAD_THREADS, minBytes: raw.OFFLOAD_MIN_BYTES },
    archives: {
      maxDepth: raw.ARCHIVE_MAX_DEPTH,
      maxEntries: raw.ARCHIVE_MAX_ENTRIES,
      maxExpandedBytes: raw.ARCHIVE_MAX_EXPANDED_BYTES,
      maxRatio: raw.ARCHIVE_MAX_RATIO,
    },
    matching: {
      autoThreshold: raw.MATCH_AUTO_THRESHOLD,
      reviewThreshold: raw.MATCH_REVIEW_THRESHOLD,
    },
    webhooks: {
      enabled: raw.WEBHOOKS,
      allowPrivate: raw.WEBHOOK_ALLOW_PRIVATE,
      secretKey:
        raw.WEBHOOK_SECRET_KEY === undefined
          ? undefined
          : Buffer.from(raw.WEBHOOK_SECRET_KEY, 'base64'),
      maxAttempts: raw.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: raw.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: raw.WEBHOOK_RETRY_MAX_MS,
      timeoutMs: raw.WEBHOOK_TIMEOUT_MS,
      concurrency: raw.WEBHOOK_CONCURRENCY,
      pollMs: raw.WEBHOOK_POLL_MS,
    },
    retention: {
      enabled: raw.RETENTION,
      intervalMs: raw.RETENTION_INTERVAL_MS,
      trashDelayHours: raw.RETENTION_TRASH_DELAY_HOURS,
      maxErasuresPerPass: raw.RETENTION_MAX_ERASURES_PER_PASS,
    },
    logDigest: {
      enabled: raw.LOG_DIGEST,
      everyRecords: raw.LOG_DIGEST_EVERY_RECORDS,
      intervalMs: raw.LOG_DIGEST_INTERVAL_MS,
      signingKey: {
        pem: raw.LOG_SIGNING_KEY,
        file: path.resolve(
          raw.LOG_SIGNING_KEY_FILE ?? path.join(dataDir, 'secrets', 'log-signing-key.pem'),
        ),
        createIfMissing:
          raw.LOG_SIGNING_KEY === undefined && raw.LOG_SIGNING_KEY_FILE === undefined,
      },
    },
    dataDir,
  };
}

function asRole(databaseUrl: string, role: string, password: string | undefined): string {
  if (!URL.canParse(databaseUrl)) throw new ConfigError(['DATABASE_URL: not a URL']);
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password ?? '';
  return url.toString();
}
