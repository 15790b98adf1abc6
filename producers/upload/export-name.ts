import type { DocumentType } from '../../schemas/document-types.ts';
import type { ExportName } from '../../schemas/events.ts';

/** The type codes hospital systems put at the end of an export's name, in Spanish and English. */
export const EXPORT_TYPE_CODES: Readonly<Record<string, DocumentType>> = {
  CONS: 'consultation-note',
  LAB: 'lab-result',
  RX: 'prescription',
  REC: 'prescription',
  RAD: 'radiology-report',
  IMG: 'radiology-report',
  PAT: 'pathology-report',
  HP: 'pathology-report',
  REF: 'referral',
  ALTA: 'discharge-summary',
  EGR: 'discharge-summary',
  DIS: 'discharge-summary',
  FACT: 'invoice',
  INV: 'invoice',
  CI: 'consent-form',
  CONSENT: 'consent-form',
  'CONS-INF': 'consent-form',
};

const RECORD = String.raw`(\d(?:[\d-]{0,18}\d)?)`;
// `SURNAMES, NAMES`: letters (accents too), spaces, apostrophes, dots and hyphens, one comma.
const NAME = String.raw`([\p{L}][\p{L}' .-]*,[ ]*[\p{L}][\p{L}' .-]*)`;
const EPISODE = String.raw`([A-Za-z]{0,3}\d{1,8})`;
const TYPE_CODE = '([A-Za-z]{2,10}(?:-[A-Za-z]{2,10})?)';
// Browsers add ` (1)` to a second download of the same name.
const COPY_SUFFIX = String.raw`(?: \(\d{1,3}\))?`;
const EXTENSION = String.raw`\.(?:pdf|png|jpe?g|tiff?|txt)`;

const EXPORT_NAME = new RegExp(
  `^${RECORD}_${NAME}_${EPISODE}_${TYPE_CODE}${COPY_SUFFIX}${EXTENSION}$`,
  'iu',
);

/**
 * Reads a hospital export's file name, `<record number>_<SURNAMES, NAMES>_<episode>_<TYPE>.pdf`.
 * Any other name is null: it is a fine name, it just tells us nothing. A code we do not know is
 * kept, with no document type.
 */
export function parseExportName(fileName: string): ExportName | null {
  const match = EXPORT_NAME.exec(fileName.normalize('NFC'));
  if (!match) return null;
  const [recordNumber = '', name = '', episode = '', code = ''] = match.slice(1);
  const patientName = name
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/\s*,\s*/, ', ');
  const typeCode = code.toUpperCase();
  return {
    recordNumber,
    patientName,
    episode,
    typeCode,
    documentType: EXPORT_TYPE_CODES[typeCode] ?? null,
  };
}
