import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { MisconfigurationError, misconfiguration, startupStep } from './startup.ts';

const kafkaError = (name: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { name, ...extra });

describe('misconfiguration', () => {
  it('says which settings to check when Kafka refuses the credentials', () => {
    const error = kafkaError(
      'KafkaJSSASLAuthenticationError',
      'SASL SCRAM SHA512 authentication failed',
    );
    expect(misconfiguration(error)).toMatch(/KAFKA_SASL_PASSWORD/);
  });

  it('names the unknown host, found through the causes', () => {
    const cause = Object.assign(new Error('getaddrinfo ENOTFOUND db.invalid'), {
      code: 'ENOTFOUND',
      hostname: 'db.invalid',
    });
    expect(misconfiguration(new Error('connect failed', { cause }))).toMatch(
      /db\.invalid.*DATABASE_URL/,
    );
  });

  it('tells PostgreSQL credentials and a missing database apart from faults that pass', () => {
    expect(
      misconfiguration(
        Object.assign(new Error('password authentication failed'), { code: '28P01' }),
      ),
    ).toMatch(/DATABASE_URL/);
    expect(
      misconfiguration(Object.assign(new Error('database "x" does not exist'), { code: '3D000' })),
    ).toMatch(/create it/);
  });

  it('leaves transient faults to be retried', () => {
    const notLeader = kafkaError(
      'KafkaJSProtocolError',
      'This server is not the leader for that topic-partition',
      { retriable: true, type: 'NOT_LEADER_FOR_PARTITION' },
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const shuttingDown = Object.assign(new Error('the database system is shutting down'), {
      code: '57P03',
    });
    expect([notLeader, refused, shuttingDown].map(misconfiguration)).toEqual([null, null, null]);
  });
});

describe('startupStep', () => {
  const retry = () => ({ deadline: Date.now() + 10_000, logger: createLogger('silent') });

  it('tries a step again until a transient fault passes', async () => {
    let calls = 0;
    const result = await startupStep(
      'creating topics',
      async () => {
        calls++;
        if (calls < 3)
          throw kafkaError('KafkaJSProtocolError', 'not the leader', { retriable: true });
        return 'created';
      },
      retry(),
    );
    expect({ result, calls }).toEqual({ result: 'created', calls: 3 });
  });

  it('ends at once, naming the step and the fix, on a misconfiguration', async () => {
    let calls = 0;
    const failing = startupStep(
      'connecting to Kafka',
      async () => {
        calls++;
        throw kafkaError('KafkaJSSASLAuthenticationError', 'authentication failed');
      },
      retry(),
    );
    await expect(failing).rejects.toBeInstanceOf(MisconfigurationError);
    await expect(failing).rejects.toThrow(/^connecting to Kafka: .*KAFKA_SASL_USERNAME/);
    expect(calls).toBe(1);
  });

  it('gives up on a transient fault at the deadline', async () => {
    const failing = startupStep(
      'registering schemas',
      async () => {
        throw new Error('registry answered 503');
      },
      { deadline: Date.now(), logger: createLogger('silent') },
    );
    await expect(failing).rejects.toThrow(/registering schemas: still failing/);
  });
});
