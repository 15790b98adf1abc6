import type { Consumer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type StartupRetry, startupStep } from '../startup.ts';

/** One start of a consumer: its kafkajs consumer (watched for crashes) and how to stop it. */
export interface ConsumerRun {
  readonly consumer: Consumer;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface SupervisedConsumer {
  readonly name: string;
  /** False from a crash until the restart that follows it has joined its group again. */
  running(): boolean;
  stop(): Promise<void>;
}

/** The consumers a process runs, for /health to name the stopped ones. */
export interface ConsumerRoster {
  add(consumer: SupervisedConsumer): void;
  stopped(): string[];
}

export function createConsumerRoster(): ConsumerRoster {
  const consumers: SupervisedConsumer[] = [];
  return {
    add: (consumer) => void consumers.push(consumer),
    stopped: () => consumers.filter((c) => !c.running()).map((c) => c.name),
  };
}

/**
 * Hands a start's consumer to its supervisor, to be watched for crashes. A start calls it before
 * `consumer.run`: kafkajs reports a failure to join the group as a crash from inside `run`, which
 * then resolves as if all were well.
 */
export type CrashWatch = (consumer: Consumer) => void;

/** Kafkajs option that leaves every restart to the supervisor, so each one is seen and counted. */
export const NO_KAFKAJS_RESTART = { retry: { restartOnFailure: async () => false } } as const;

/** Exponential from `baseMs`, capped at `maxMs`; attempt 1 is the first restart after a crash. */
export function restartDelay(attempt: number, policy: RestartPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/**
 * Runs a consumer and keeps it running: when kafkajs reports a crash it will not recover from
 * itself (its `crash` event), or a start fails, the old consumer is let go and a fresh one is
 * started after a bounded backoff, again and again, each attempt logged and counted. A start
 * after a crash re-joins the group and resumes from the committed offsets, so nothing is lost.
 * Resolves once the first start has succeeded: with `firstStart`, that one is tried again while
 * it fails for a reason that can pass, until the start-up's deadline.
 */
export async function superviseConsumer(
  name: string,
  start: (watch: CrashWatch) => Promise<ConsumerRun>,
  deps: { logger: Logger; metrics: Metrics; restart: RestartPolicy; firstStart?: StartupRetry },
): Promise<SupervisedConsumer> {
  const log = deps.logger.child({ consumer: name });
  let current: ConsumerRun | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  const setRunning = (running: boolean) =>
    deps.metrics.consumerUp.set({ consumer: name }, running ? 1 : 0);

  const launch = async () => {
    let run: ConsumerRun | undefined;
    let crashedStarting: Error | undefined;
    const watch: CrashWatch = (consumer) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!run) {
          crashedStarting ??= payload.error;
          return;
        }
        if (run !== current || stopped) return;
        const crashed = run;
        current = null;
        setRunning(false);
        log.error({ err: payload.error, groupId: payload.groupId }, 'consumer crashed');
        void crashed.stop().catch(() => {});
        schedule();
      });
    };
    const started = await start(watch);
    // A start that crashed while joining its group failed: it is tried again like one that threw.
    if (crashedStarting) {
      await started.stop().catch(() => {});
      throw crashedStarting;
    }
    run = started;
    current = run;
    setRunning(true);
  };

  const schedule = () => {
    attempt++;
    const delay = restartDelay(attempt, deps.restart);
    deps.metrics.consumerRestarts.inc({ consumer: name });
    log.warn({ attempt, delayMs: delay }, 'consumer restarting');
    timer = setTimeout(async () => {
      if (stopped) return;
      try {
        await launch();
        log.info({ attempt }, 'consumer restarted');
        attempt = 0;
      } catch (error) {
        log.error({ err: error, attempt }, 'consumer restart failed');
        schedule();
      }
    }, delay);
  };

  await (deps.firstStart ? startupStep(`starting ${name}`, launch, deps.firstStart) : launch());
  return {
    name,
    running: () => current !== null,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const run = current;
      current = null;
      await run?.stop();
    },
  };
}
