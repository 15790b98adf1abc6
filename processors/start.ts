import type { ITopicConfig, Kafka } from 'kafkajs';
import type { BlobStore } from '../infra/blobs/blob-store.ts';
import { type Breakers, createBreakers } from '../infra/breakers.ts';
import type { Config } from '../infra/config.ts';
import { eventLogTopicConfigs, type TopicNames } from '../infra/kafka/topics.ts';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { StartupRetry } from '../infra/startup.ts';
import type { EventCodec } from '../schemas/codec.ts';
import type { EventType } from '../schemas/events.ts';
import { createClassifyProcessor } from './classify/processor.ts';
import { createExtractEntitiesProcessor } from './extract-entities/processor.ts';
import { createOcrPool, type OcrEngine } from './extract-text/ocr-pool.ts';
import { createExtractTextProcessor } from './extract-text/processor.ts';
import { startMatchingByTenant } from './match-patient/by-tenant.ts';
import {
  createMatchPatientProcessor,
  createPatientIndex,
  matchPolicy,
} from './match-patient/processor.ts';
import { createOffloadPool } from './offload/offload.ts';
import type { Clock } from './runtime/envelope.ts';
import type { Processor } from './runtime/processor.ts';
import { type RunningProcessor, runtimeSettingsOf, startProcessor } from './runtime/runner.ts';
import type { ChildIntake } from './validate/containers/archive.ts';
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
  /** Tries each processor's first start again while it fails for a reason that can pass. */
  startup?: StartupRetry;
  /** Replaces the OCR pool (a test's failing engine, say); the breaker still guards it. */
  ocr?: OcrEngine;
  /** Duplicates and quotas for documents taken out of zips and e-mails, as for uploads. */
  childIntake?: ChildIntake;
}

export interface RunningProcessors {
  readonly names: readonly string[];
  readonly breakers: Breakers;
  /** The processors whose consumer has crashed and waits for its restart. */
  stopped(): string[];
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
  const runtime = runtimeSettingsOf(config);
  const start = <T extends EventType>(processor: Processor<T>) =>
    startProcessor(processor, {
      ...infra,
      codec,
      settings: {
        ...runtime,
        ...(infra.startup ? { startup: infra.startup } : {}),
      },
    });
  let ocr: OcrEngine | undefined;
  // Large documents are parsed and analysed on worker threads: the API shares this event loop.
  const offload = createOffloadPool(config.offload);
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
            ...(infra.childIntake ? { intake: infra.childIntake } : {}),
            limits: config.archives,
          },
          offload,
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
          pageMaxBytes: config.text.pageMaxBytes,
          offload,
        }),
      );
    },
    classify: () => start(createClassifyProcessor({ blobs, offload })),
    'extract-entities': () => start(createExtractEntitiesProcessor({ blobs, offload })),
    'match-patient': async () => {
      // Replicas share the tenants; each decides only once it holds every patient of those it owns.
      const index = createPatientIndex();
      const processor = createMatchPatientProcessor({
        index,
        policy: matchPolicy(config.matching),
        newId: infra.clock.newId,
      });
      const [template] = eventLogTopicConfigs(config.topics, infra.topics) as [ITopicConfig];
      return startMatchingByTenant(processor, index, {
        ...infra,
        codec,
        topic: { ...template, numPartitions: config.topics.partitions },
        transactionTimeoutMs: runtime.transactionTimeoutMs,
        retry: runtime.retry,
        restart: runtime.restart,
      });
    },
  };
  const running: RunningProcessor[] = [];
  // Side by side: each joins a group of its own, so a start waits for the slowest join alone.
  running.push(...(await Promise.all(names.map((name) => starters[name]()))));
  return {
    names,
    breakers,
    stopped: () => running.filter((p) => !p.running()).map((p) => p.name),
    async stop() {
      await Promise.all(running.map((p) => p.stop()));
      breakers.shutdown();
      await ocr?.terminate();
      await offload.close();
    },
  };
}
