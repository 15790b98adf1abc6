import type { Producer } from 'kafkajs';
import { toKafkaMessage } from '../../infra/kafka/event-log.ts';
import { type PartitionCounts, sendByPartition } from '../../infra/kafka/send-by-partition.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import type { PatientDataRead } from '../../schemas/events.ts';
import type { EventStamp } from '../event-metadata.ts';
import { newMetadata } from '../event-metadata.ts';
import { type BatcherOptions, createBatcher } from './batcher.ts';

/** One read of patient data: who read which documents and patients, by which route, how it ended. */
export interface PatientDataReadRecord {
  tenantId: string;
  /** The principal's actor, e.g. `key:<id>`. */
  principal: string;
  /** The route's pattern, not the path: `/patients/:id`. */
  route: string;
  method: string;
  documentIds: readonly string[];
  patientIds: readonly string[];
  resultCount: number;
  status: number;
  /** The request's id. */
  correlationId: string;
}

/** Records a read without waiting for the log; never throws. */
export type RecordRead = (read: PatientDataReadRecord) => void;

export interface ReadAudit {
  record: RecordRead;
  /** Appends what is still waiting; call after the API has stopped taking requests. */
  stop(): Promise<void>;
}

/** The event of a read, stamped when the read happened so a retried append keeps its id. */
export function patientDataRead(read: PatientDataReadRecord, stamp: EventStamp): PatientDataRead {
  const { tenantId, principal, correlationId, ...data } = read;
  return {
    type: 'PatientDataRead',
    // Keyed by the tenant: a tenant's reads are one partition, in order.
    metadata: newMetadata(stamp, {
      tenantId,
      aggregateId: tenantId,
      correlationId,
      actor: principal,
    }),
    data: {
      ...data,
      principal,
      documentIds: [...data.documentIds],
      patientIds: [...data.patientIds],
    },
  };
}

/** Appends a batch of reads to the audit log, a request per partition; the producer is idempotent. */
export function appendToAuditLog(
  producer: Producer,
  codec: EventCodec,
  topics: TopicNames,
  partitions: PartitionCounts,
) {
  return async (events: readonly PatientDataRead[]): Promise<void> => {
    const messages = await Promise.all(events.map((event) => toKafkaMessage(event, codec)));
    await sendByPartition(producer, [{ topic: topics.events.audit, messages }], partitions);
  };
}

const DROP_WARNING_INTERVAL_MS = 10_000;

/**
 * Records reads of patient data as `PatientDataRead` events on the audit log, in batches off the
 * request's path (see `createBatcher`): a read is never held up by the log, and while the log is
 * down the records wait, up to a bound, and are appended when it is back.
 */
export function createReadAudit(deps: {
  append: (events: PatientDataRead[]) => Promise<void>;
  stamp: EventStamp;
  logger: Logger;
  metrics: Pick<Metrics, 'auditRecords'>;
  batching?: Pick<BatcherOptions<PatientDataRead>, 'intervalMs' | 'maxBatch' | 'maxBuffered'>;
}): ReadAudit {
  const { logger, metrics, stamp } = deps;
  let dropped = 0;
  let warnedAt = Number.NEGATIVE_INFINITY;
  const batcher = createBatcher<PatientDataRead>({
    ...deps.batching,
    write: deps.append,
    report: {
      written: (count) => metrics.auditRecords.inc({ outcome: 'appended' }, count),
      dropped: (count) => {
        metrics.auditRecords.inc({ outcome: 'dropped' }, count);
        dropped += count;
        // One warning per interval while it lasts, not one per read.
        if (stamp.now() - warnedAt < DROP_WARNING_INTERVAL_MS) return;
        logger.warn(
          { dropped, buffered: batcher.size() },
          'audit buffer full: the oldest audit records were dropped',
        );
        warnedAt = stamp.now();
        dropped = 0;
      },
      failed: (error, buffered) =>
        logger.error({ err: error, buffered }, 'audit records could not be appended; will retry'),
    },
  });
  return {
    record: (read) => batcher.add(patientDataRead(read, stamp)),
    async stop() {
      await batcher.stop();
      if (batcher.size() > 0) {
        logger.error({ lost: batcher.size() }, 'audit records not appended before shutdown');
      }
    },
  };
}
