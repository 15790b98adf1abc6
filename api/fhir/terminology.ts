import { searchKey } from '../../projections/entities/values.ts';
import type { DocumentType } from '../../schemas/document-types.ts';
import documentTypes from './data/document-types.json' with { type: 'json' };
import labCodes from './data/lab-codes.json' with { type: 'json' };
import units from './data/units.json' with { type: 'json' };
import { SYSTEMS } from './systems.ts';
import type { CodeableConcept, Coding, Quantity } from './types.ts';

const LAB_BY_NAME = new Map(
  labCodes.tests.flatMap((test) =>
    test.names.map((name) => [searchKey(name), { code: test.loinc, display: test.display }]),
  ),
);

/** The name as printed, without what it says in parentheses, and what it says in them. */
const nameVariants = (test: string) => {
  const inner = /\(([^)]+)\)/.exec(test)?.[1];
  return [test, test.replace(/\([^)]*\)/g, ' '), ...(inner ? [inner] : [])].map(searchKey);
};

/** A lab test as printed, with its LOINC coding when the table knows the name. */
export function labCode(test: string): CodeableConcept {
  const known = nameVariants(test)
    .map((key) => LAB_BY_NAME.get(key))
    .find((hit) => hit !== undefined);
  return known ? { coding: [{ system: SYSTEMS.loinc, ...known }], text: test } : { text: test };
}

/** The LOINC codes of the tests known by this name, for searching by code. */
export const knownLoincCodes = (test: string): string[] =>
  (labCode(test).coding ?? []).flatMap((c) => (c.code ? [c.code] : []));

const unitKey = (unit: string) => unit.replace(/µ/g, 'u').replace(/\s+/g, '').toLowerCase();
const UCUM_BY_PRINTED = new Map(
  units.units.flatMap((u) => u.printed.map((printed) => [unitKey(printed), u.ucum])),
);

/** A value with its unit: UCUM-coded when the unit is known, else the unit as printed alone. */
export function quantity(value: number, unit: string | null): Quantity {
  if (!unit) return { value };
  const ucum = UCUM_BY_PRINTED.get(unitKey(unit));
  return ucum ? { value, unit, system: SYSTEMS.ucum, code: ucum } : { value, unit };
}

const DOCUMENT_TYPE_CODES: Record<string, { loinc: string; display: string } | null> =
  documentTypes.types;

/** A document's type: LOINC's document code where one fits, and docstream's own code. */
export function documentTypeConcept(type: DocumentType | string): CodeableConcept {
  const loinc = DOCUMENT_TYPE_CODES[type];
  const coding: Coding[] = [
    ...(loinc ? [{ system: SYSTEMS.loinc, code: loinc.loinc, display: loinc.display }] : []),
    { system: SYSTEMS.documentType, code: type },
  ];
  return { coding, text: loinc?.display ?? type };
}
