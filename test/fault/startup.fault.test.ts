import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { MisconfigurationError } from '../../infra/startup.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

describe('a start that waits out transient faults and names misconfigurations', () => {
  const environments: TestEnvironment[] = [];
  let system: System | undefined;
  afterAll(async () => {
    await system?.stop();
    for (const env of environments) await env.cleanup();
  });

  it("starts right after the test suite's teardown deleted its topics, and works", async () => {
    const first = await createTestEnvironment();
    const prefix = first.config.topics.prefix;
    const logger = createLogger('warn');
    await (await startSystem(first.config, logger)).stop();
    // What every test file's teardown does: its topics, subjects and database are deleted.
    await first.cleanup();

    const second = await createTestEnvironment({ TOPIC_PREFIX: prefix });
    environments.push(second);
    system = await startSystem(second.config, logger);
    const { key } = await issueKey(second.config.database.url, 'clinic-start');
    const api = apiClient(system.url as string, 'clinic-start', key);
    expect(await api.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const { documentId } = await api.upload(
      await textPdf(['RESULTADOS DE LABORATORIO', 'Glucosa 98 mg/dL']),
      'lab.pdf',
    );
    await eventually(async () => {
      expect((await api.document(documentId)).body.status).toBe('classified');
    }, 90_000);
  }, 240_000);

  it('ends at once, saying what to fix, when Kafka refuses the credentials', async () => {
    const env = await createTestEnvironment({ STARTUP_TIMEOUT_MS: '600000' });
    environments.push(env);
    const { kafka } = env.config;
    const sasl = kafka.sasl && { ...kafka.sasl, password: 'not-the-password' };
    const start = startSystem({ ...env.config, kafka: { ...kafka, sasl } }, createLogger('silent'));
    await expect(start).rejects.toBeInstanceOf(MisconfigurationError);
    await expect(start).rejects.toThrow(/^connecting to Kafka: .*KAFKA_SASL_PASSWORD/);
  }, 60_000);

  it('ends at once, naming the host, when the database host is unknown', async () => {
    const env = await createTestEnvironment({ STARTUP_TIMEOUT_MS: '600000' });
    environments.push(env);
    const database = {
      ...env.config.database,
      url: 'postgres://postgres@db.invalid:5432/docstream',
    };
    const start = startSystem({ ...env.config, database }, createLogger('silent'));
    await expect(start).rejects.toThrow(/^migrating the database: the host db\.invalid is unknown/);
  }, 60_000);
});
