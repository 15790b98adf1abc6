import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Breakers } from '../../infra/breakers.ts';
import type { LaggingGroup } from '../../infra/kafka/consumer-lag.ts';

/** A dependency the system cannot work without, and how to ask it whether it answers. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

const CheckResult = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latencyMs: Type.Integer(),
  error: Type.Optional(Type.String()),
});

const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(Type.String(), CheckResult),
  breakers: Type.Record(
    Type.String(),
    Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')]),
    { description: "Circuit breakers around the processors' external dependencies" },
  ),
  consumers: Type.Optional(
    Type.Object(
      {
        stopped: Type.Array(Type.String(), {
          description: 'Consumers of this process that crashed and wait for their restart',
        }),
        lagging: Type.Array(
          Type.Object({
            group: Type.String(),
            lag: Type.Integer({ description: 'Messages the group has yet to consume' }),
            secondsBehind: Type.Integer({ description: 'Age of its oldest unprocessed message' }),
          }),
          { description: 'Consumer groups past HEALTH_MAX_LAG or HEALTH_MAX_SECONDS_BEHIND' },
        ),
      },
      { description: 'Processors and projections: any entry here makes the status degraded' },
    ),
  ),
});

/** What /health says of the consumers: the stopped ones, and the groups that fall behind. */
export interface ConsumerReport {
  stopped: string[];
  lagging: LaggingGroup[];
}

async function run(check: HealthCheck) {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'up' as const, latencyMs: Date.now() - started };
  } catch (error) {
    return {
      status: 'down' as const,
      latencyMs: Date.now() - started,
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthRoutesOptions {
  checks: readonly HealthCheck[];
  /** The circuit breakers of the processors running in this process. */
  breakers: Pick<Breakers, 'states'>;
  consumers?: () => Promise<ConsumerReport>;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (
  app,
  { checks, breakers: processorBreakers, consumers: reportConsumers },
) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        summary:
          'Kafka, schema registry and PostgreSQL, each with its state; circuit breakers; stopped and lagging consumers',
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_request, reply) => {
      const [results, consumers] = await Promise.all([
        Promise.all(checks.map(async (c) => [c.name, await run(c)] as const)),
        reportConsumers?.().catch(() => undefined),
      ]);
      const breakers = processorBreakers.states();
      const reachable = results.every(([, r]) => r.status === 'up');
      // An open breaker, a consumer waiting to restart or a group falling behind pauses or slows
      // processing, but the API still answers: degraded (200), not down (503).
      const healthy =
        reachable &&
        Object.values(breakers).every((s) => s !== 'open') &&
        (consumers === undefined ||
          (consumers.stopped.length === 0 && consumers.lagging.length === 0));
      return reply.status(reachable ? 200 : 503).send({
        status: healthy ? 'ok' : 'degraded',
        checks: Object.fromEntries(results),
        breakers,
        ...(consumers ? { consumers } : {}),
      });
    },
  );
};
