import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('works with no environment against the local stack', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.registry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 3000,
      opsOpenOnLoopback: true,
      rateLimit: { max: 3000, windowMs: 60_000 },
      apiKeyCache: { size: 10_000, ttlMs: 5_000 },
    });
    expect(config.topics).toEqual({
      prefix: 'docstream',
      partitions: 6,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      retentionMs: -1,
    });
  });

  it('reads and converts overrides', () => {
    const config = loadConfig({
      PORT: '8080',
      KAFKA_BROKERS: 'a:1, b:2',
      TOPIC_REPLICATION_FACTOR: '3',
      TOPIC_MIN_INSYNC_REPLICAS: '2',
    });
    expect(config.http.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.topics.minInsyncReplicas).toBe(2);
  });

  it('refuses invalid values, naming each', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(
      /PORT.*LOG_LEVEL|LOG_LEVEL.*PORT/,
    );
    expect(() => loadConfig({ TOPIC_MIN_INSYNC_REPLICAS: '2' })).toThrow(/must not exceed/);
  });

  it('authenticates to Kafka as docstream, on the local stack, unless told otherwise', () => {
    expect(loadConfig({}).kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'docstream',
      password: 'docstream-local-only',
    });
    expect(
      loadConfig({
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: 'secret',
      }).kafka.sasl,
    ).toEqual({ mechanism: 'scram-sha-256', username: 'svc', password: 'secret' });
    expect(loadConfig({ KAFKA_SASL_MECHANISM: 'none' }).kafka.sasl).toBeUndefined();
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => loadConfig({ KAFKA_SASL_PASSWORD: '' })).toThrow(/KAFKA_SASL_PASSWORD/);
  });

  it('writes to the schema registry as the local stack client unless told otherwise', () => {
    expect(loadConfig({}).registry.auth).toEqual({
      username: 'docstream-registry',
      password: 'docstream-registry-local-only',
    });
    expect(
      loadConfig({ SCHEMA_REGISTRY_USERNAME: 'svc', SCHEMA_REGISTRY_PASSWORD: 'secret' }).registry
        .auth,
    ).toEqual({ username: 'svc', password: 'secret' });
    expect(loadConfig({ SCHEMA_REGISTRY_USERNAME: '' }).registry.auth).toBeUndefined();
    expect(() => loadConfig({ SCHEMA_REGISTRY_PASSWORD: '' })).toThrow(/SCHEMA_REGISTRY_PASSWORD/);
  });

  it('chooses which processors run, and refuses a malformed list', () => {
    expect(loadConfig({}).processors.run).toBe('all');
    expect(loadConfig({ PROCESSORS: 'none' }).processors.run).toEqual([]);
    expect(loadConfig({ PROCESSORS: 'validate,classify' }).processors.run).toEqual([
      'validate',
      'classify',
    ]);
    expect(() => loadConfig({ PROCESSORS: 'validate;rm -rf' })).toThrow(/PROCESSORS/);
    expect(() => loadConfig({ OCR_LANGUAGES: 'eng+../x' })).toThrow(/OCR_LANGUAGES/);
    expect(loadConfig({ OCR_LANGUAGES: 'eng+spa' }).ocr.languages).toBe('eng+spa');
  });
});

describe('loadConfig oidc', () => {
  it('trusts the local Keycloak realm by default', () => {
    expect(loadConfig({}).oidc).toEqual({
      issuer: 'http://127.0.0.1:8180/realms/docstream',
      audience: 'docstream-api',
      tenantClaim: 'tenant',
      rolesClaim: 'roles',
    });
  });

  it('reads overrides; an empty issuer turns OIDC off; a malformed one is refused', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'https://id.example/realms/x/',
      OIDC_AUDIENCE: 'api',
      OIDC_TENANT_CLAIM: 'org',
      OIDC_ROLES_CLAIM: 'groups',
    });
    expect(config.oidc).toEqual({
      issuer: 'https://id.example/realms/x',
      audience: 'api',
      tenantClaim: 'org',
      rolesClaim: 'groups',
    });
    expect(loadConfig({ OIDC_ISSUER: '' }).oidc.issuer).toBe('');
    expect(() => loadConfig({ OIDC_ISSUER: 'id.example' })).toThrow(/OIDC_ISSUER/);
    expect(() => loadConfig({ OIDC_AUDIENCE: '' })).toThrow(/OIDC_AUDIENCE/);
  });
});

describe('loadConfig database', () => {
  it('connects the app role to the same server and database as the owner', () => {
    const { database } = loadConfig({
      DATABASE_URL: 'postgres://owner:secret@db.example:6543/docstream?sslmode=require',
      DATABASE_APP_PASSWORD: 'app secret',
    });
    expect(database).toEqual({
      url: 'postgres://owner:secret@db.example:6543/docstream?sslmode=require',
      appUrl: 'postgres://docstream_app:app%20secret@db.example:6543/docstream?sslmode=require',
      appRole: 'docstream_app',
      appPassword: 'app secret',
      keysUrl: 'postgres://docstream_keys@db.example:6543/docstream?sslmode=require',
      keysRole: 'docstream_keys',
      keysPassword: undefined,
    });
    expect(loadConfig({ DATABASE_APP_ROLE: 'reader' }).database.appUrl).toBe(
      'postgres://reader@127.0.0.1:5432/docstream',
    );
    expect(() => loadConfig({ DATABASE_APP_ROLE: 'drop table' })).toThrow(/DATABASE_APP_ROLE/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });
});
