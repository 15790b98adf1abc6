import type { DocumentType } from '../../schemas/document-types.ts';
import { normalizeText } from './normalize.ts';

/**
 * Phrases that say what a document is, in Spanish and English, by how strongly they say it:
 * 4 names the type outright, 3 is a section only that type has, 2 is typical of it, 1 merely
 * fits it. Accents and case do not matter; each phrase counts once per document.
 */
type PhrasesByWeight = Readonly<Partial<Record<1 | 2 | 3 | 4, readonly string[]>>>;

// biome-ignore format: a table reads best as one
const PHRASES: Readonly<Record<DocumentType, PhrasesByWeight>> = {
  'lab-result': {
    4: ['resultados de laboratorio', 'laboratorio clínico', 'reporte de laboratorio', 'informe de laboratorio',
      'laboratory report', 'lab results', 'laboratory results', 'clinical laboratory'],
    3: ['valores de referencia', 'intervalo de referencia', 'reference range', 'reference interval',
      'toma de muestra', 'biometría hemática', 'química sanguínea', 'perfil de lípidos', 'examen general de orina',
      'complete blood count', 'metabolic panel', 'lipid panel', 'hemoglobina glucosilada', 'hemoglobin a1c',
      'resultados validados', 'results verified', 'flagged h or l'],
    2: ['hemoglobina', 'hemoglobin', 'hematocrito', 'hematocrit', 'leucocitos', 'white blood cells', 'plaquetas',
      'platelets', 'creatinina', 'creatinine', 'glucosa', 'glucose', 'colesterol', 'cholesterol', 'triglicéridos',
      'triglycerides', 'qfb', 'ascp', 'tsh', 'perfil tiroideo', 'thyroid panel', 'función hepática', 'hepatic function'],
    1: ['mg/dl', 'g/dl', 'mmol/l', 'u/l', 'muestra', 'specimen', 'en ayuno', 'fasting'],
  },
  prescription: {
    4: ['receta médica', 'receta', 'prescripción médica', 'prescription', 'rx', 'rp/'],
    3: ['sig', 'disp', 'refills', 'substitution permitted', 'esta receta', 'prescriber', 'surtir', 'dea'],
    2: ['tomar una tableta', 'tomar una cápsula', 'tabletas', 'cápsulas', 'tablet', 'capsule', 'durante 7 días',
      'durante 10 días', 'durante 14 días', 'durante 30 días', 'próxima cita', 'return visit'],
    1: ['cada 8 horas', 'cada 12 horas', 'cada 24 horas', 'bid', 'tid', 'q8h', 'at bedtime'],
  },
  'discharge-summary': {
    4: ['resumen de egreso', 'nota de egreso', 'egreso hospitalario', 'informe de alta', 'alta hospitalaria',
      'resumen de alta', 'epicrisis', 'discharge summary', 'hospital discharge', 'discharge note'],
    3: ['fecha de egreso', 'fecha de ingreso', 'días de estancia', 'evolución intrahospitalaria',
      'diagnóstico de ingreso', 'diagnósticos de egreso', 'diagnóstico de egreso', 'tratamiento al egreso',
      'motivo de egreso', 'motivo de ingreso', 'fecha de alta', 'tratamiento al alta', 'discharge date',
      'admission date', 'length of stay', 'hospital course', 'admitting diagnosis', 'discharge diagnoses',
      'discharge medications', 'disposition', 'vitals at discharge'],
    2: ['signos vitales al egreso', 'destino domicilio', 'condition improved', 'intravenoso', 'iv fluids'],
  },
  'consultation-note': {
    4: ['nota de consulta', 'nota de evolución', 'nota médica', 'progress note',
      'office visit', 'clinic note', 'consultation note', 'outpatient visit', 'soap note'],
    3: ['motivo de consulta', 'padecimiento actual', 'exploración física', 'fecha de consulta', 'chief complaint',
      'history of present illness', 'physical exam', 'physical examination', 'date of service', 'subjetivo',
      'subjective', 'objective'],
    2: ['impresión diagnóstica', 'assessment', 'return to clinic', 'seguimiento', 'medicina familiar',
      'primary care', 'department'],
    1: ['signos vitales', 'vitals', 'plan', 'servicio', 'antecedente', 'niega alergias', 'allergies'],
  },
  'radiology-report': {
    4: ['informe radiológico', 'reporte radiológico', 'radiology report', 'diagnostic imaging', 'imaging report',
      'imagenología', 'estudio de imagen', 'informe de imagen'],
    3: ['impression', 'findings', 'hallazgos', 'interpretación', 'technique', 'técnica', 'comparison',
      'comparación', 'médico radiólogo', 'radiologist', 'clinical history', 'indicación clínica', 'bi-rads'],
    2: ['radiografía', 'ultrasonido', 'tomografía', 'resonancia magnética', 'mastografía', 'x-ray', 'xr', 'ct',
      'mri', 'ultrasound', 'mammogram', 'contraste', 'contrast', 'conclusión', 'protocolo'],
  },
  'pathology-report': {
    4: ['reporte de patología', 'informe de patología', 'informe histopatológico', 'estudio anatomopatológico',
      'anatomía patológica', 'pathology report', 'surgical pathology', 'cytology report'],
    3: ['diagnóstico histopatológico', 'descripción macroscópica', 'descripción microscópica', 'gross description',
      'microscopic description', 'final diagnosis', 'accession', 'médico patólogo', 'pathologist', 'espécimen'],
    2: ['biopsia', 'biopsy', 'bordes libres', 'margins', 'carcinoma', 'los cortes', 'sections show',
      'specimen', 'histopatológico', 'fecha de recepción', 'date received'],
  },
  referral: {
    4: ['hoja de referencia', 'referencia y contrarreferencia', 'formato de referencia', 'contrarreferencia',
      'solicitud de interconsulta', 'interconsulta', 'referral', 'referral form'],
    3: ['motivo de envío', 'unidad que refiere', 'unidad receptora', 'servicio al que se envía', 'médico que refiere',
      'fecha de envío', 'referred to', 'referring provider', 'referring facility', 'reason for referral',
      'referral date', 'pertinent history'],
    2: ['diagnóstico presuntivo', 'urgency', 'prioridad', 'se envía', 'valoración y manejo', 'evaluation and management'],
  },
  invoice: {
    4: ['factura', 'invoice', 'billing statement', 'statement of account', 'comprobante fiscal', 'cfdi',
      'estado de cuenta'],
    3: ['subtotal', 'iva', 'rfc', 'folio fiscal', 'forma de pago', 'método de pago', 'total charges', 'balance due',
      'amount due', 'insurance payments', 'remit payment', 'aseguradora', 'póliza', 'member id', 'account #'],
    2: ['importe', 'concepto', 'total', 'adjustments', 'insurer', 'cant', 'qty', 'amount', 'tax id'],
  },
  'consent-form': {
    4: ['consentimiento informado', 'carta de consentimiento', 'consentimiento bajo información', 'informed consent',
      'consent form', 'consent for surgical procedure', 'procedure consent'],
    3: ['autorizo', 'i authorize', 'en pleno uso de mis facultades', 'revocar este consentimiento',
      'withdraw this consent', 'firma del paciente', 'representante legal', 'legal representative', 'testigo',
      'witness', 'médico que informa', 'physician obtaining consent'],
    2: ['riesgos', 'risks', 'beneficios', 'benefits', 'alternativas', 'alternatives', 'anestesia', 'anesthesia'],
  },
  other: {
    4: ['plan de alimentación', 'diet plan', 'aviso de cita', 'appointment reminder', 'constancia de asistencia',
      'work/school excuse', 'please excuse', 'se hace constar', 'carnet de citas', 'nutrition instructions'],
    3: ['desayuno', 'comida', 'cena', 'breakfast', 'lunch', 'dinner', 'kcal', 'le recordamos su cita',
      'confirms your appointment', 'al interesado convengan', 'may return', 'arrive 15 minutes early'],
    2: ['favor de presentarse', 'estimado', 'dear', 'photo id', 'insurance card', 'horas', 'litros de agua',
      'evitar', 'avoid'],
  },
};

export interface Rule {
  readonly documentType: DocumentType;
  /** The phrase as written in the table, shown as evidence. */
  readonly phrase: string;
  /** The phrase as matched: normalised, with a space at each end so only whole words match. */
  readonly key: string;
  readonly weight: number;
}

export const RULES: readonly Rule[] = Object.entries(PHRASES).flatMap(([documentType, byWeight]) =>
  Object.entries(byWeight).flatMap(([weight, phrases]) =>
    phrases.map((phrase) => ({
      documentType: documentType as DocumentType,
      phrase,
      key: ` ${normalizeText(phrase)} `,
      weight: Number(weight),
    })),
  ),
);
