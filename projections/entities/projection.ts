import type { EntitiesExtracted } from '../../schemas/events.ts';
import { defineProjection, type SqlStatement, sql } from '../runtime/projection.ts';
import { ENTITY_TABLES, type EntityTable, encounterDate } from './tables.ts';

/**
 * The entities of each document's latest round: the whole set as read, and labs, medications,
 * diagnoses, vitals and identifiers a row each. A newer round's extraction replaces the rows;
 * an older round's, arriving late, changes nothing.
 */
export const entitiesProjection = defineProjection({
  name: 'entities',
  handlers: {
    EntitiesExtracted: extractionStatements,
    DocumentErased: (event) =>
      ['document_entities', ...ENTITY_TABLES.map((table) => table.name)].map((table) =>
        sql(
          `DELETE FROM ${table} WHERE tenant_id = $1 AND document_id = $2`,
          event.metadata.tenantId,
          event.metadata.aggregateId,
        ),
      ),
  },
});

function extractionStatements(event: EntitiesExtracted): SqlStatement[] {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  const { round } = event.data;
  return [
    sql(
      `INSERT INTO document_entities (tenant_id, document_id, round, date_format, observed_on,
         extracted_at, entities)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, document_id) DO UPDATE SET round = excluded.round,
         date_format = excluded.date_format, observed_on = excluded.observed_on,
         extracted_at = excluded.extracted_at, entities = excluded.entities
       WHERE document_entities.round < excluded.round`,
      tenantId,
      aggregateId,
      round,
      event.data.dateFormat,
      encounterDate(event.data),
      new Date(occurredAt),
      JSON.stringify(event.data),
    ),
    ...ENTITY_TABLES.flatMap((table) => replaceRows(table, event)),
  ];
}

function replaceRows(table: EntityTable, event: EntitiesExtracted): SqlStatement[] {
  const { tenantId, aggregateId } = event.metadata;
  const { round } = event.data;
  const rows = table.rows(event.data);
  const names = Object.keys(table.columns);
  const deleteOlder = sql(
    `DELETE FROM ${table.name} WHERE tenant_id = $1 AND document_id = $2 AND round < $3`,
    tenantId,
    aggregateId,
    round,
  );
  if (rows.length === 0) return [deleteOlder];
  const recordType = names.map((name) => `${name} ${table.columns[name]}`).join(', ');
  return [
    deleteOlder,
    sql(
      `INSERT INTO ${table.name} (tenant_id, document_id, round, ${names.join(', ')})
       SELECT $1, $2, $3, ${names.map((name) => `r.${name}`).join(', ')}
       FROM jsonb_to_recordset($4::jsonb) AS r(${recordType})
       WHERE NOT EXISTS (SELECT 1 FROM document_entities
         WHERE tenant_id = $1 AND document_id = $2 AND round > $3)
       ON CONFLICT (tenant_id, document_id, ordinal) DO NOTHING`,
      tenantId,
      aggregateId,
      round,
      JSON.stringify(rows),
    ),
  ];
}
