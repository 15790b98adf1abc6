import { Type } from 'typebox';
import { invalid } from '../../infra/errors.ts';
import { DocumentSchema, ReadQuery } from './document-schemas.ts';
import { EntitiesSchema, LogReadQuery, PatientDetailSchema } from './patient-schemas.ts';

const AsOf = Type.String({
  format: 'date-time',
  description:
    'An ISO 8601 time with its offset (e.g. 2026-11-30T20:15:00Z): answer what was known then, folded from the log. A time still to come is refused (400 AS_OF_IN_FUTURE).',
});

const AnsweredAsOf = Type.Optional(
  Type.String({ format: 'date-time', description: 'Set when the read was asked as of a time' }),
);

export const DocumentReadQuery = Type.Object({
  ...ReadQuery.properties,
  asOf: Type.Optional(AsOf),
});
export const PatientReadQuery = Type.Object({
  ...LogReadQuery.properties,
  asOf: Type.Optional(AsOf),
});

export const DocumentReadSchema = Type.Object({ ...DocumentSchema.properties, asOf: AnsweredAsOf });
export const PatientReadSchema = Type.Object({
  ...PatientDetailSchema.properties,
  asOf: AnsweredAsOf,
});

export const EntitiesReadSchema = Type.Object({ ...EntitiesSchema.properties, asOf: AnsweredAsOf });

/**
 * The time an as-of read answers for. What is still to come has not been recorded: a time past
 * `now` is refused rather than answered with what happens to be known now.
 */
export function asOfTime(value: string, now: number): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalid('AS_OF_INVALID', 'asOf is not a time');
  if (at.getTime() > now) throw invalid('AS_OF_IN_FUTURE', 'asOf is a time still to come');
  return at;
}
