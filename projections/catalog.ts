import { auditProjection } from './audit/projection.ts';
import { batchesProjection } from './batches/projection.ts';
import { documentsProjection } from './documents/projection.ts';
import { entitiesProjection } from './entities/projection.ts';
import { ENTITY_TABLES } from './entities/tables.ts';
import { patientTimelineProjection } from './patient-timeline/projection.ts';
import { patientsProjection } from './patients/projection.ts';
import { reviewsProjection } from './reviews/projection.ts';
import type { Projection } from './runtime/projection.ts';
import { textProjection } from './text/projection.ts';
import { timelineProjection } from './timeline/projection.ts';
import { usageProjection } from './usage/projection.ts';

/** Every read model the system keeps. */
export const PROJECTIONS = [
  documentsProjection,
  timelineProjection,
  textProjection,
  batchesProjection,
  patientsProjection,
  patientTimelineProjection,
  entitiesProjection,
  reviewsProjection,
  usageProjection,
  auditProjection,
] as const satisfies readonly Projection[];

/** A read model's name: what its checkpoints are kept under and what a read waits on. */
export type ReadModelName = (typeof PROJECTIONS)[number]['name'];

/**
 * The tables each read model's projection writes and no other projection does: what a rebuild
 * folds again into a shadow schema and swaps in. Checkpoints and the log's identity are not here.
 */
export const READ_MODEL_TABLES: Readonly<Record<ReadModelName, readonly string[]>> = {
  documents: ['documents'],
  timeline: ['document_timeline'],
  text: ['document_pages'],
  batches: ['batches', 'batch_files'],
  patients: ['patients'],
  'patient-timeline': ['patient_timeline'],
  entities: ['document_entities', ...ENTITY_TABLES.map((table) => table.name)],
  reviews: ['reviews'],
  usage: ['usage_facts', 'usage_daily'],
  audit: ['audit'],
};
