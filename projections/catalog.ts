import { documentsProjection } from './documents/projection.ts';
import type { Projection } from './runtime/projection.ts';
import { textProjection } from './text/projection.ts';
import { timelineProjection } from './timeline/projection.ts';

/** Every read model the system keeps. */
export const PROJECTIONS: readonly Projection[] = [
  documentsProjection,
  timelineProjection,
  textProjection,
];
