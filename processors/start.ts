import type { Kafka } from 'kafkajs';
import type { BlobStore } from '../infra/blobs/blob-store.ts';
import { type Breakers, createBreakers } from '../infra/breakers.ts';
import type { Config } from '../infra/config.ts';
import type { TopicNames } from '../infra/kafka/topics.ts';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { EventCodec } from '../schemas/codec.ts';
import type { EventType } from '../schemas/events.ts';
import { createClassifyProcessor } from './classify/processor.ts';
import { createExtractEntitiesProcessor } from './extract-entities/processor.ts';
import { createOcrPool, type OcrEngine } from './extract-text/ocr-pool.ts';
import { createExtractTextProcessor } from './extract-text/processor.ts';
import { startPatientIndexFeed } from './match-patient/index-feed.ts';
import {
  createMatchPatientProcessor,
  createPatientIndex,
  matchPolicy,
} from './match-patient/processor.ts';
import type { Clock } from './runtime/envelope.ts';
import type { Processor } from './runtime/processor.ts';
import { type RunningProcessor, startProcessor } from './runtime/runner.ts';
import { createValidateProcessor } from './validate/processor.ts';

/** The chain, in the order a document goes through it. */
export const PROCESSOR_NAMES = [
  'validate',
  'extract-text',
  'classify',
  'extract-entities',
  'match-patient',
] as const;
export type ProcessorName = (typeof PROCESSOR_NAMES)[number];

export interface ProcessorInfra {
  kafka: Kafka;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  blobs: BlobStore;
  clock: Clock;
  /** Replaces the OCR pool (a test's failing engine, say); the breaker still guards it. */
  ocr?: OcrEngine;
}

export interface RunningProcessors {
  readonly names: readonly string[];
  readonly breakers: Breakers;
  stop(): Promise<void>;
}

export function selectProcessors(run: Config['processors']['run']): ProcessorName[] {
  if (run === 'all') return [...PROCESSOR_NAMES];
  const unknown = run.filter((n) => !(PROCESSOR_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown processor ${unknown.join(', ')}: choose from ${PROCESSOR_NAMES.join(', ')}`,
    );
  }
  return run as ProcessorName[];
}

/** Builds the chosen processors with their ports behind circuit breakers, and starts each. */
export async function startProcessors(
  config: Config,
  infra: ProcessorInfra,
  names: readonly ProcessorName[],
): Promise<RunningProcessors> {
  const breakers = createBreakers({ resetMs: config.processors.breakerResetMs });
  breakers.onChange((dependency, state) => {
    infra.metrics.breakerState.set({ dependency }, { closed: 0, 'half-open': 0.5, open: 1 }[state]);
    infra.logger.warn({ dependency, state }, 'circuit breaker changed state');
  });
  const blobs = {
    read: breakers.guard('blob-store', infra.blobs.read),
    put: breakers.guard('blob-store', infra.blobs.put),
  };
  const codec: EventCodec = {
    encode: breakers.guard('registry', infra.codec.encode),
    decode: breakers.guard('registry', infra.codec.decode),
  };
  const { processors: settings } = config;
  const start = <T extends EventType>(processor: Processor<T>) =>
    startProcessor(processor, {
      ...infra,
      codec,
      settings: {
        instanceId: settings.instanceId,
        concurrency: settings.concurrency,
        transactionTimeoutMs: settings.transactionTimeoutMs,
        retry: {
          maxRetries: settings.maxRetries,
          baseMs: settings.retryBaseMs,
          maxMs: settings.retryMaxMs,
          maxHoldMs: settings.maxHoldMs,
        },
      },
    });
  let ocr: OcrEngine | undefined;
  const starters: Record<ProcessorName, () => Promise<RunningProcessor>> = {
    validate: () =>
      start(
        createValidateProcessor({
          blobs,
          containers: {
            blobs: {
              open: infra.blobs.open,
              // Not behind the breaker: staging fails whenever an entry passes a limit.
              stage: infra.blobs.stage,
              commit: breakers.guard('blob-store', infra.blobs.commit),
              discard: infra.blobs.discard,
            },
            newId: infra.clock.newId,
            limits: config.archives,
          },
        }),
      ),
    'extract-text': () => {
      const engine = infra.ocr ?? createOcrPool(config.ocr);
      ocr = engine;
      const recognize = breakers.guard(
        'ocr',
        async (image: Buffer) => {
          const done = infra.metrics.ocrPageSeconds.startTimer();
          try {
            return await engine.recognize(image);
          } finally {
            done();
            infra.metrics.ocrWorkersRecycled.set(engine.stats().recycled);
          }
        },
        // The pool times out each page itself, from when a worker takes it, not from the queue.
        { timeoutMs: false },
      );
      return start(
        createExtractTextProcessor({
          blobs,
          ocr: { recognize, stats: () => engine.stats(), terminate: () => engine.terminate() },
          inlineMaxBytes: config.text.inlineMaxBytes,
        }),
      );
    },
    classify: () => start(createClassifyProcessor({ blobs })),
    'extract-entities': () => start(createExtractEntitiesProcessor({ blobs })),
    'match-patient': async () => {
      // Matching starts only once the index holds every patient the log knows.
      const index = createPatientIndex();
      const feed = await startPatientIndexFeed({ ...infra, codec }, index);
      const processor = await start(
        createMatchPatientProcessor({
          index,
          policy: matchPolicy(config.matching),
          newId: infra.clock.newId,
        }),
      );
      return {
        name: processor.name,
        async stop() {
          await processor.stop();
          await feed.stop();
        },
      };
    },
  };
  const running: RunningProcessor[] = [];
  for (const name of names) running.push(await starters[name]());
  return {
    names,
    breakers,
    async stop() {
      await Promise.all(running.map((p) => p.stop()));
      breakers.shutdown();
      await ocr?.terminate();
    },
  };
}
