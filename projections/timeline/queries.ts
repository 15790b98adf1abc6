import type { Queryable } from '../../infra/postgres.ts';
import type { LogPosition } from '../../schemas/events.ts';

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  round: number;
  position: { topic: string; partition: number; offset: string };
  /** The person or client whose request the event records; null for a processor's decision. */
  principal: string | null;
  /** The processor, and its version, that decided the event; null for a principal's. */
  processor: { name: string; version: string } | null;
}

/** A processor signs its events `name@version` (see processors/versions.json). */
const PROCESSOR_ACTOR = /^([a-z][a-z0-9-]*)@(\d+\.\d+\.\d+\S*)$/;

/** Who wrote an event, from its actor: a processor at a version, or a principal (`kind:id`). */
export function attributionOf(actor: string): Pick<TimelineEntry, 'principal' | 'processor'> {
  const processor = PROCESSOR_ACTOR.exec(actor);
  if (processor?.[1] && processor[2]) {
    return { principal: null, processor: { name: processor[1], version: processor[2] } };
  }
  return { principal: actor, processor: null };
}

/** A document's events in log order: one partition, ascending offsets. */
export async function documentHistory(
  db: Queryable,
  tenantId: string,
  documentId: string,
): Promise<TimelineEntry[]> {
  const { rows } = await db.query(
    `SELECT event_id, event_type, occurred_at, actor, correlation_id, causation_id, topic,
            partition, "offset", round
     FROM document_timeline WHERE tenant_id = $1 AND document_id = $2
     ORDER BY topic, partition, "offset"`,
    [tenantId, documentId],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    type: r.event_type,
    occurredAt: r.occurred_at.toISOString(),
    actor: r.actor,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    round: r.round,
    position: { topic: r.topic, partition: r.partition, offset: String(r.offset) },
    ...attributionOf(r.actor),
  }));
}

/**
 * Where each of `documentIds`' events that occurred at or before `asOf` sits in the log, in log
 * order: the records an as-of read fetches and folds.
 */
export async function documentPositionsUntil(
  db: Queryable,
  tenantId: string,
  documentIds: readonly string[],
  asOf: Date,
): Promise<{ documentId: string; position: LogPosition }[]> {
  if (documentIds.length === 0) return [];
  const { rows } = await db.query(
    `SELECT document_id, topic, partition, "offset" FROM document_timeline
     WHERE tenant_id = $1 AND document_id = ANY($2) AND occurred_at <= $3
     ORDER BY document_id, topic, partition, "offset"`,
    [tenantId, documentIds, asOf],
  );
  return rows.map((r) => ({
    documentId: r.document_id,
    position: { topic: r.topic, partition: r.partition, offset: String(r.offset) },
  }));
}
