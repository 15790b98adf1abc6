import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Breakers } from '../../infra/breakers.ts';

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
});

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
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (
  app,
  { checks, breakers: processorBreakers },
) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Kafka, schema registry and PostgreSQL, each with its state; circuit breakers',
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(checks.map(async (c) => [c.name, await run(c)] as const));
      const breakers = processorBreakers.states();
      const reachable = results.every(([, r]) => r.status === 'up');
      // An open breaker pauses processing but the API still answers: degraded, not down.
      const healthy = reachable && Object.values(breakers).every((s) => s !== 'open');
      return reply.status(reachable ? 200 : 503).send({
        status: healthy ? 'ok' : 'degraded',
        checks: Object.fromEntries(results),
        breakers,
      });
    },
  );
};
