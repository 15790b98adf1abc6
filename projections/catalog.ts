import { auditProjection } from './audit/projection.ts';
import { batchesProjection } from './batches/projection.ts';
import { documentsProjection } from './documents/projection.ts';
import { entitiesProjection } from './entities/projection.ts';
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
  entitiesProjection,
  reviewsProjection,
  usageProjection,
  auditProjection,
] as const satisfies readonly Projection[];

/** A read model's name: what its checkpoints are kept under and what a read waits on. */
export type ReadModelName = (typeof PROJECTIONS)[number]['name'];
