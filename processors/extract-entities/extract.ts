import type { EntitiesExtracted } from '../../schemas/events.ts';
import type { DocumentPage } from '../document-text.ts';
import { decideDateFormat } from './dates.ts';
import { extractDiagnoses } from './diagnoses.ts';
import { extractDates, extractFacility, extractProvider } from './encounter.ts';
import { allFields } from './fields.ts';
import { extractIdentifiers } from './identifiers.ts';
import { extractLabs } from './labs.ts';
import { linesOf } from './lines.ts';
import { extractMedications } from './medications.ts';
import { extractDateOfBirth, extractPatientName, extractSex } from './patient.ts';
import { extractVitals } from './vitals.ts';

export type Entities = Omit<EntitiesExtracted['data'], 'round'>;

/**
 * Everything a document says about its patient and encounter, each value with the page and
 * characters it was read from. `language` is the extraction's ISO 639-3 code (`spa`, `eng`,
 * `und`); it settles the date order only when the dates themselves do not.
 */
export function extractEntities(pages: readonly DocumentPage[], language: string): Entities {
  const lines = linesOf(pages);
  const fields = allFields(lines);
  const { format, basis } = decideDateFormat(pages.map((page) => page.text).join('\n'), language);
  const identifiers = extractIdentifiers(fields, lines);
  return {
    dateFormat: format,
    dateFormatBasis: basis,
    identifiers,
    patientName: extractPatientName(fields),
    dateOfBirth: extractDateOfBirth(fields, format),
    sex: extractSex(fields, language, identifiers),
    ...extractDates(fields, format),
    provider: extractProvider(fields, lines),
    facility: extractFacility(fields, lines),
    labs: extractLabs(lines),
    medications: extractMedications(lines),
    diagnoses: extractDiagnoses(fields, lines),
    vitals: extractVitals(lines),
  };
}
