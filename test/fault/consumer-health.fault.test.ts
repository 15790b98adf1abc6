import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

interface Health {
  status: string;
  consumers: {
    stopped: string[];
    lagging: { group: string; lag: number; secondsBehind: number }[];
  };
}

describe('/health and the metrics of groups that fall behind', () => {
  let env: TestEnvironment;
  let system: System;

  beforeAll(async () => {
    // The API and read models only: no processor consumes the document log here.
    env = await createTestEnvironment({
      PROCESSORS: 'none',
      HEALTH_MAX_LAG: '2',
      HEALTH_MAX_SECONDS_BEHIND: '1',
      CONSUMER_LAG_SAMPLE_MS: '200',
    });
    system = await startSystem(env.config, createLogger('warn'));
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('says degraded, with 200, naming the groups past the lag or age limits', async () => {
    const { key } = await issueKey(env.config.database.url, 'clinic-lag');
    const api = apiClient(system.url as string, 'clinic-lag', key);
    const before = await api.get('/health');
    expect(before).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((before.body as Health).consumers).toEqual({ stopped: [], lagging: [] });

    for (let i = 0; i < 3; i++) {
      await api.upload(await textPdf([`RESULTADOS DE LABORATORIO ${i}`]), `lab-${i}.pdf`);
    }
    const validate = `${env.config.topics.prefix}.validate`;
    const health = await eventually(async () => {
      const { status, body } = await api.get('/health');
      const lagging = (body as Health).consumers.lagging.find((g) => g.group === validate);
      expect(lagging?.lag).toBeGreaterThanOrEqual(3);
      expect(lagging?.secondsBehind).toBeGreaterThanOrEqual(2);
      return { status, body: body as Health };
    }, 30_000);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    // The read models keep up: their groups are not named.
    expect(health.body.consumers.lagging.map((g) => g.group)).not.toContain(
      `${env.config.topics.prefix}.projection-documents`,
    );
    expect(health.body.consumers.stopped).toEqual([]);

    const metrics = await (await fetch(`${system.url}/metrics`)).text();
    const behind = [
      ...metrics.matchAll(
        new RegExp(
          `^docstream_consumer_time_behind_seconds\\{group="${validate}",[^}]*\\} (\\S+)$`,
          'gm',
        ),
      ),
    ].map((m) => Number(m[1]));
    expect(Math.max(...behind)).toBeGreaterThan(1);
    expect(metrics).toMatch(/^docstream_consumer_up\{consumer="projection-documents"\} 1$/m);
  }, 120_000);
});
