import { distance } from 'fastest-levenshtein';
import { plainKey } from './lines.ts';

export type FieldKind =
  | 'name'
  | 'surnames'
  | 'givenNames'
  | 'record-number'
  | 'mrn'
  | 'curp'
  | 'dateOfBirth'
  | 'sex'
  | 'age'
  | 'encounterDate'
  | 'collectionDate'
  | 'otherDate'
  | 'provider'
  | 'facility'
  | 'diagnosis'
  | 'other';

// biome-ignore format: a vocabulary reads best as one
const LABELS: Record<Exclude<FieldKind, 'encounterDate' | 'otherDate' | 'other'>, readonly string[]> = {
  name: ['paciente', 'nombre', 'nombre del paciente', 'nombre completo', 'patient', 'patient name', 'name', 'pt name'],
  surnames: ['apellidos', 'apellido', 'apellido s', 'last name', 'surname', 'surnames', 'family name'],
  givenNames: ['nombres', 'nombre s', 'first name', 'given name', 'given names'],
  'record-number': ['expediente', 'exp', 'no de expediente', 'no expediente', 'num de expediente', 'numero de expediente', 'no exp', 'n de expediente', 'record', 'record no', 'record number', 'hospital record', 'chart', 'chart no', 'chart number'],
  mrn: ['mrn', 'mr', 'mr no', 'med rec', 'med rec no', 'medical record', 'medical record number', 'medical record no'],
  curp: ['curp'],
  dateOfBirth: ['fecha de nacimiento', 'fecha nacimiento', 'fecha nac', 'f nacimiento', 'f de nac', 'f nac', 'fec nac', 'fecha de nac', 'nacimiento', 'dob', 'd o b', 'date of birth', 'birth date', 'birthdate'],
  sex: ['sexo', 'sex', 'genero', 'gender'],
  age: ['edad', 'age'],
  collectionDate: ['fecha de toma de muestra', 'fecha de toma', 'toma de muestra', 'fecha de muestra', 'fecha de recoleccion', 'collected', 'collection date', 'date collected', 'specimen collected', 'collection'],
  provider: ['medico', 'medico solicitante', 'medico tratante', 'medico que refiere', 'medico responsable', 'doctor', 'dr', 'ordering physician', 'ordering provider', 'attending', 'attending physician', 'attending provider', 'physician', 'provider', 'referring provider', 'referring physician'],
  facility: ['hospital', 'unidad', 'unidad medica', 'unidad que refiere', 'clinica', 'facility', 'referring facility', 'institucion', 'establecimiento'],
  diagnosis: ['diagnostico', 'diagnosticos', 'diagnostico de ingreso', 'diagnostico de egreso', 'diagnosticos de egreso', 'diagnostico presuntivo', 'diagnostico principal', 'impresion diagnostica', 'diagnosis', 'diagnoses', 'admitting diagnosis', 'discharge diagnosis', 'discharge diagnoses', 'final diagnosis', 'assessment', 'impression', 'interpretacion', 'conclusion', 'diagnostico histopatologico', 'dx'],
};

/** `l` and `1` are one letter to OCR, so labels compare with both read as `i`. */
const folded = (key: string) => key.replace(/[l1]/g, 'i');

const KIND_BY_LABEL = new Map<string, FieldKind>(
  Object.entries(LABELS).flatMap(([kind, labels]) =>
    labels.map((label) => [folded(label), kind as FieldKind] as const),
  ),
);

/** Dates that are not the encounter's: birth, admission, the next visit, printing, expiry. */
const NOT_ENCOUNTER =
  /nacimiento|birth|ingreso|admission|admit|proxima|next|return|cita|vigencia|expir|valid|impresion|printed/;

/** OCR drops or doubles a letter now and then; longer labels may differ a little. */
function closeEnough(key: string, label: string): boolean {
  if (key.length < 6 || Math.abs(key.length - label.length) > 2) return false;
  return distance(key, label) <= (label.length >= 12 ? 2 : 1);
}

/** What a label of our vocabularies announces, read tolerantly. */
export function knownLabel(label: string): FieldKind | null {
  const key = folded(plainKey(label));
  if (!key) return null;
  const exact = KIND_BY_LABEL.get(key);
  if (exact) return exact;
  for (const [known, kind] of KIND_BY_LABEL) if (closeEnough(key, known)) return kind;
  return null;
}

/** Any other label naming a date (`Fecha:`, `Date of service:`) is a date too. */
export function dateLabel(label: string): FieldKind | null {
  const key = folded(plainKey(label));
  if (!/\b(fecha|date|dated|received|recepcion|visit|cita|appointment)\b/.test(key)) return null;
  return NOT_ENCOUNTER.test(key) ? 'otherDate' : 'encounterDate';
}

/** What a label announces, read tolerantly; any other label naming a date is a date too. */
export const kindOfLabel = (label: string): FieldKind | null =>
  knownLabel(label) ?? dateLabel(label);
