import type { Queryable } from '../../infra/postgres.ts';

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  round: number;
  position: { topic: string; partition: number; offset: string };
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
  }));
}
