import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { metricNames, promqlExpressions } from '../support/deploy.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';

/** The series names a /metrics body can hold, from its `# TYPE` lines. */
function exposedNames(body: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

describe('what the dashboard and the alerts query is what docstream exposes', () => {
  let env: TestEnvironment;
  let system: System;
  let processorsOnly: System;

  beforeAll(async () => {
    env = await createTestEnvironment({ PROCESSORS: 'none' });
    const logger = createLogger('warn');
    system = await startSystem(env.config, logger);
    const processorsConfig = {
      ...env.config,
      processors: { ...env.config.processors, run: ['classify'], opsPort: 0 },
    };
    processorsOnly = await startSystem(processorsConfig, logger, { api: false });
  });

  afterAll(async () => {
    await processorsOnly?.stop();
    await system?.stop();
    await env?.cleanup();
  });

  const scrape = async (url: string | null) => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };

  it('names only metrics the API or a processors-only process serves', async () => {
    const exposed = new Set([
      ...exposedNames(await scrape(system.url)),
      ...exposedNames(await scrape(processorsOnly.url)),
    ]);
    expect(exposed).toContain('docstream_processor_messages_total');
    const unknown = promqlExpressions().flatMap(({ where, expr }) =>
      metricNames(expr)
        .names.filter((n) => !exposed.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('reports the lag and members of every consumer group, running here or not', async () => {
    const body = await scrape(system.url);
    const prefix = env.config.topics.prefix;
    // No processor runs in this process: their groups have no member, and their lag is still read.
    expect(body).toMatch(
      new RegExp(
        `^docstream_consumer_lag\\{group="${prefix}\\.validate",topic="${prefix}\\.document\\.events",partition="0"\\} \\d+$`,
        'm',
      ),
    );
    expect(body).toMatch(
      new RegExp(`^docstream_consumer_lag\\{group="${prefix}\\.projection-documents",`, 'm'),
    );
    expect(body).toMatch(
      new RegExp(`^docstream_consumer_group_members\\{group="${prefix}\\.validate"\\} 0$`, 'm'),
    );
    // Time behind per group and partition, beside the lag: an idle log is not behind.
    expect(body).toMatch(
      new RegExp(
        `^docstream_consumer_time_behind_seconds\\{group="${prefix}\\.validate",topic="${prefix}\\.document\\.events",partition="0"\\} 0$`,
        'm',
      ),
    );
  });

  it("reports whether each of the process's consumers runs, and their restarts", async () => {
    const body = await scrape(system.url);
    expect(body).toMatch(/^docstream_consumer_up\{consumer="projection-documents"\} 1$/m);
    expect(body).toContain('# TYPE docstream_consumer_restarts_total counter');
    const processors = await scrape(processorsOnly.url);
    expect(processors).toMatch(/^docstream_consumer_up\{consumer="classify"\} 1$/m);
  });

  it('serves /health from a processors-only process for its probes', async () => {
    const response = await fetch(`${processorsOnly.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      checks: Record<string, unknown>;
      consumers: unknown;
    };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks)).toEqual(['kafka']);
    expect(body.consumers).toEqual({ stopped: [], lagging: [] });
  });
});
