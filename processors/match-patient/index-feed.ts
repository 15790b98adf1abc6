import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import { readThrough, topicEnds } from '../../infra/kafka/read-topic.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import { type EventCodec, UndecodableEventError } from '../../schemas/codec.ts';
import type { PatientEvent } from '../../schemas/events.ts';
import { patientOf } from './match.ts';
import type { PatientIndex } from './patient-index.ts';
import { prepareSubject } from './subject.ts';

const FED_BY = new Set<string>([
  'PatientRegistered',
  'PatientRecordLinked',
  'PatientsMerged',
  'PatientErased',
]);

/** What a patient event changes in the index. */
export function applyPatientEvent(index: PatientIndex, event: PatientEvent): void {
  const { tenantId, aggregateId } = event.metadata;
  switch (event.type) {
    case 'PatientRegistered':
      index.register(tenantId, patientOf(aggregateId, prepareSubject(event.data.subject)));
      return;
    case 'PatientRecordLinked':
      index.link(tenantId, patientOf(aggregateId, prepareSubject(event.data.subject)));
      return;
    case 'PatientsMerged':
      index.merge(tenantId, aggregateId, event.data.mergedId);
      return;
    case 'PatientErased':
      index.erase(tenantId, aggregateId);
      return;
    default:
      event satisfies never;
  }
}

export interface PatientIndexFeed {
  /**
   * Reads the patient log again from its beginning, now for the tenants `owns` accepts, and
   * resolves once it has read up to where the log ends at the call: a replica that took tenants
   * over knows every patient the log had for them before it decides anything.
   */
  reload(owns: (tenantId: string) => boolean): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps the index in step with the patient log: a consumer group of its own for this process,
 * reading from the beginning and never committing, since the index lives in memory. Resolves once
 * it has read up to where the log ended when it started, so matching never starts blind. Only the
 * tenants `owns` accepts are kept (all by default); the others are skipped by header, undecoded.
 */
export async function startPatientIndexFeed(
  deps: { kafka: Kafka; codec: EventCodec; topics: TopicNames; logger: Logger },
  index: PatientIndex,
  owns: (tenantId: string) => boolean = () => true,
): Promise<PatientIndexFeed> {
  let current = await readFeed(deps, index, owns);
  let reloads = Promise.resolve();
  return {
    reload(next) {
      // One reload at a time, each reading to the end of the log as it is when it starts.
      reloads = reloads.then(async () => {
        const previous = current;
        current = await readFeed(deps, index, next);
        await previous.stop();
      });
      return reloads;
    },
    stop: () => reloads.then(() => current.stop()),
  };
}

async function readFeed(
  deps: { kafka: Kafka; codec: EventCodec; topics: TopicNames; logger: Logger },
  index: PatientIndex,
  owns: (tenantId: string) => boolean,
): Promise<{ stop(): Promise<void> }> {
  const topic = deps.topics.events.patient;
  const log = deps.logger.child({ component: 'patient-index' });
  const admin = deps.kafka.admin();
  await admin.connect();
  const ends = await topicEnds(admin, topic).finally(() => admin.disconnect());
  const consumer = deps.kafka.consumer({
    groupId: `${deps.topics.consumerGroup('patient-index')}.${randomUUID()}`,
    readUncommitted: false,
  });
  let applied = 0;
  const caughtUp = readThrough(consumer, ends);
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    log.error({ err: payload.error, restart: payload.restart }, 'patient index feed crashed'),
  );
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message, partition }) => {
      const type = message.headers?.[HEADERS.eventType]?.toString();
      const tenantId = message.headers?.[HEADERS.tenantId]?.toString();
      if (!type || !FED_BY.has(type) || !message.value) return;
      if (tenantId !== undefined && !owns(tenantId)) return;
      let event: PatientEvent;
      try {
        event = (await deps.codec.decode(message.value)) as PatientEvent;
      } catch (error) {
        // The projections dead-letter it; the index goes on without it rather than stop matching.
        if (!(error instanceof UndecodableEventError)) throw error;
        log.warn(
          { partition, offset: message.offset, reason: error.message },
          'patient event skipped',
        );
        return;
      }
      if (!owns(event.metadata.tenantId)) return;
      applyPatientEvent(index, event);
      applied++;
    },
  });
  try {
    await caughtUp;
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  log.info({ applied, partitions: ends.length }, 'patient index caught up');
  return { stop: () => consumer.disconnect() };
}
