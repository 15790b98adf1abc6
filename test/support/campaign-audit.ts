import type { Config } from '../../infra/config.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  registerEventSchemas,
} from '../../schemas/codec.ts';

export interface LogAudit {
  /** Accepted documents whose log ends the chain, by how. */
  decided: number;
  rejected: number;
  failed: number;
  /** Accepted documents with no end in the log. */
  lost: string[];
  /** Events beyond the first per (aggregate, type, round), and the keys that had them. */
  duplicatedEvents: number;
  duplicatedKeys: string[];
  /** Of those keys, how many had every copy caused by one event: one input handled twice. */
  duplicatedFromOneCause: number;
  patientsRegistered: number;
  /** Patients beyond the first of one tenant with one set of identifiers, in the read model. */
  patientsDuplicated: number;
  /** Records the audit's own reader was handed more than once (not counted as duplicates). */
  rereads: number;
}

const DECISIONS = new Set(['PatientMatched', 'PatientMatchReviewRequired']);

/**
 * Reads the whole log, committed events only, and checks the campaign's accepted documents against
 * it; patients are compared in the read model, as their identifiers travel sealed.
 */
export async function auditLog(config: Config, accepted: readonly string[]): Promise<LogAudit> {
  const kafka = createKafka(config, createLogger('silent'));
  const admin = kafka.admin();
  await admin.connect();
  const topics = topicNames(config.topics.prefix);
  const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
  const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
  let rereads = 0;
  // A reader whose group rebalances mid-read is handed some records again: one per offset counts.
  const decode = async (topic: string) => {
    const byOffset = new Map<string, Buffer>();
    const messages = await readTopic(kafka, admin, topic, 600_000);
    for (const m of messages) byOffset.set(`${m.partition}:${m.offset}`, m.value as Buffer);
    rereads += messages.length - byOffset.size;
    return Promise.all([...byOffset.values()].map((value) => codec.decode(value)));
  };
  const documentEvents = await decode(topics.events.document);
  const patientEvents = await decode(topics.events.patient);
  await admin.disconnect();

  const perKey = new Map<string, number>();
  const causes = new Map<string, Set<string>>();
  const typesOf = new Map<string, Set<string>>();
  for (const event of [...documentEvents, ...patientEvents]) {
    const { aggregateId } = event.metadata;
    const data = event.data as { round?: number; documentId?: string };
    // A patient's record is linked once per document and round, not once per patient.
    const key = `${aggregateId} ${event.type} ${data.documentId ?? ''} ${data.round ?? 0}`;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    const cause = causes.get(key) ?? new Set<string>();
    cause.add(event.metadata.causationId ?? '');
    causes.set(key, cause);
    const types = typesOf.get(aggregateId) ?? new Set<string>();
    types.add(event.type);
    typesOf.set(aggregateId, types);
  }
  const duplicated = [...perKey].filter(([, n]) => n > 1);

  let decided = 0;
  let rejected = 0;
  let failed = 0;
  const lost: string[] = [];
  for (const id of accepted) {
    const types = typesOf.get(id) ?? new Set<string>();
    if (types.has('DocumentRejected')) rejected++;
    else if (types.has('DocumentProcessingFailed')) failed++;
    else if (types.has('DocumentClassified') && [...DECISIONS].some((t) => types.has(t))) decided++;
    else lost.push(id);
  }

  const pool = createPool(config.database.url, 1);
  const { rows } = await pool.query<{ extra: number }>(`
    SELECT coalesce(sum(n - 1), 0)::int AS extra FROM (
      SELECT count(*) AS n FROM patients
      WHERE registered_at IS NOT NULL AND merged_into IS NULL AND identifiers <> '[]'::jsonb
      GROUP BY tenant_id,
        (SELECT jsonb_agg(i ORDER BY i::text) FROM jsonb_array_elements(identifiers) i)
    ) groups`);
  await pool.end();

  return {
    decided,
    rejected,
    failed,
    lost,
    duplicatedEvents: duplicated.reduce((sum, [, n]) => sum + n - 1, 0),
    duplicatedKeys: duplicated.map(([key]) => key),
    duplicatedFromOneCause: duplicated.filter(([key]) => causes.get(key)?.size === 1).length,
    patientsRegistered: patientEvents.filter((e) => e.type === 'PatientRegistered').length,
    patientsDuplicated: rows[0]?.extra ?? 0,
    rereads,
  };
}
