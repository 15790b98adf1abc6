import type { EntitiesExtracted, Span } from '../../schemas/events.ts';
import { isoDate, searchKey } from './values.ts';

type Data = EntitiesExtracted['data'];
type Row = Record<string, unknown>;

/**
 * One per-kind table of a document's entities: its columns (as PostgreSQL reads them from JSON)
 * and the rows an extraction gives it. Every table also has tenant_id, document_id and round.
 */
export interface EntityTable {
  readonly name: string;
  readonly columns: Readonly<Record<string, string>>;
  rows(data: Data): Row[];
}

const SPAN_COLUMNS = {
  page: 'integer',
  span_start: 'integer',
  span_end: 'integer',
  confidence: 'double precision',
} as const;

const spanColumns = (span: Span) => ({
  page: span.page,
  span_start: span.start,
  span_end: span.end,
  confidence: span.confidence,
});

/** When a lab's sample was taken: its collection date, else the encounter's. */
export const labDate = (data: Data) =>
  isoDate(data.collectionDate?.value) ?? isoDate(data.encounterDate?.value);

/** When the document's care happened: its encounter date, else its collection date. */
export const encounterDate = (data: Data) =>
  isoDate(data.encounterDate?.value) ?? isoDate(data.collectionDate?.value);

export const ENTITY_TABLES: readonly EntityTable[] = [
  {
    name: 'document_labs',
    columns: {
      ordinal: 'integer',
      test: 'text',
      test_key: 'text',
      value: 'double precision',
      unit: 'text',
      reference_range: 'text',
      reference_low: 'double precision',
      reference_high: 'double precision',
      flag: 'text',
      flag_source: 'text',
      observed_on: 'date',
      ...SPAN_COLUMNS,
    },
    rows: (data) =>
      data.labs.map((lab, ordinal) => ({
        ordinal,
        test: lab.test,
        test_key: searchKey(lab.test),
        value: lab.value,
        unit: lab.unit,
        reference_range: lab.referenceRange,
        reference_low: lab.referenceLow,
        reference_high: lab.referenceHigh,
        flag: lab.flag,
        flag_source: lab.flagSource,
        observed_on: labDate(data),
        ...spanColumns(lab.span),
      })),
  },
  {
    name: 'document_medications',
    columns: {
      ordinal: 'integer',
      name: 'text',
      strength: 'text',
      route: 'text',
      frequency: 'text',
      times_per_day: 'double precision',
      observed_on: 'date',
      ...SPAN_COLUMNS,
    },
    rows: (data) =>
      data.medications.map((med, ordinal) => ({
        ordinal,
        name: med.name,
        strength: med.strength,
        route: med.route,
        frequency: med.frequency,
        times_per_day: med.timesPerDay,
        observed_on: encounterDate(data),
        ...spanColumns(med.span),
      })),
  },
  {
    name: 'document_diagnoses',
    columns: {
      ordinal: 'integer',
      text: 'text',
      icd10: 'text',
      observed_on: 'date',
      ...SPAN_COLUMNS,
    },
    rows: (data) =>
      data.diagnoses.map((diagnosis, ordinal) => ({
        ordinal,
        text: diagnosis.text,
        icd10: diagnosis.icd10,
        observed_on: encounterDate(data),
        ...spanColumns(diagnosis.span),
      })),
  },
  {
    name: 'document_vitals',
    columns: {
      ordinal: 'integer',
      kind: 'text',
      value: 'text',
      unit: 'text',
      observed_on: 'date',
      ...SPAN_COLUMNS,
    },
    rows: (data) =>
      data.vitals.map((vital, ordinal) => ({
        ordinal,
        kind: vital.kind,
        value: vital.value,
        unit: vital.unit,
        observed_on: encounterDate(data),
        ...spanColumns(vital.span),
      })),
  },
  {
    name: 'document_identifiers',
    columns: { ordinal: 'integer', kind: 'text', value: 'text', ...SPAN_COLUMNS },
    rows: (data) =>
      data.identifiers.map((identifier, ordinal) => ({
        ordinal,
        kind: identifier.kind,
        value: identifier.value,
        ...spanColumns(identifier.span),
      })),
  },
];
