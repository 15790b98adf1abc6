import { EVENT_CATALOG, EVENT_TYPES } from '../../schemas/catalog.ts';
import {
  type DocumentEvent,
  type EventType,
  type LogPosition,
  roundOf,
} from '../../schemas/events.ts';
import {
  defineProjection,
  handleEach,
  insertRow,
  type SqlStatement,
  sql,
} from '../runtime/projection.ts';

/** The catalog says which log each type is appended to; this carries that into the type. */
const isDocumentEventType = (type: EventType): type is DocumentEvent['type'] =>
  EVENT_CATALOG[type].aggregate === 'document';

/** Every event of a document, with where it sits in the log and its round: what auditors replay. */
export const timelineProjection = defineProjection({
  name: 'timeline',
  handlers: {
    ...handleEach(EVENT_TYPES.filter(isDocumentEventType), timelineStatements),
    // Only the erasure itself stays: ids, who and why. As-of reads fold it to nothing.
    DocumentErased: (event, position) => [
      sql(
        'DELETE FROM document_timeline WHERE tenant_id = $1 AND document_id = $2',
        event.metadata.tenantId,
        event.metadata.aggregateId,
      ),
      ...timelineStatements(event, position),
    ],
  },
});

function timelineStatements(event: DocumentEvent, position: LogPosition): SqlStatement[] {
  const { type, metadata: m } = event;
  return [
    insertRow(
      `INSERT INTO document_timeline (tenant_id, document_id, event_id, event_type, topic,
         partition, "offset", occurred_at, actor, correlation_id, causation_id, round)`,
      'ON CONFLICT (tenant_id, event_id) DO NOTHING',
      m.tenantId,
      m.aggregateId,
      m.eventId,
      type,
      position.topic,
      position.partition,
      position.offset,
      new Date(m.occurredAt),
      m.actor,
      m.correlationId,
      m.causationId,
      roundOf(event),
    ),
  ];
}
