import type { EntitiesExtracted, QualityReason } from '../../schemas/events.ts';
import type { DocumentPage } from '../document-text.ts';
import { IMPLAUSIBLE_LAB_CONFIDENCE } from './labs.ts';

// biome-ignore format: a table reads best as one
export const PENALTIES = {
  LOW_OCR_CONFIDENCE: 0.3,
  UNREADABLE_PAGE: 0.2,
  MISSING_IDENTIFIER: 0.25,
  MISSING_PATIENT_NAME: 0.2,
  MISSING_DATE_OF_BIRTH: 0.1,
  IMPLAUSIBLE_LAB_VALUE: 0.1,
} as const;

const LOW_MEAN_CONFIDENCE = 0.8;
const UNREADABLE_CONFIDENCE = 0.5;
/** Fewer readable characters than this and a page says nothing: a blank or a failed scan. */
const MIN_PAGE_CHARACTERS = 20;

type Found = Pick<
  EntitiesExtracted['data'],
  'identifiers' | 'patientName' | 'dateOfBirth' | 'labs'
>;

/**
 * How far a document can be trusted to be matched to its patient: 1 minus the penalty of each
 * reason found, never below 0. Details name figures and pages, never what the text says.
 */
export function assessQuality(pages: readonly DocumentPage[], found: Found) {
  const reasons: QualityReason[] = [];
  const reason = (code: keyof typeof PENALTIES, detail: string) =>
    reasons.push({ code, detail, penalty: PENALTIES[code] });
  const mean = pages.reduce((sum, page) => sum + page.confidence, 0) / (pages.length || 1);
  if (pages.length > 0 && mean < LOW_MEAN_CONFIDENCE) {
    reason(
      'LOW_OCR_CONFIDENCE',
      `mean page confidence ${mean.toFixed(2)} is below ${LOW_MEAN_CONFIDENCE}`,
    );
  }
  for (const page of pages) {
    const characters = page.text.replace(/\s/g, '').length;
    if (characters < MIN_PAGE_CHARACTERS) {
      reason('UNREADABLE_PAGE', `page ${page.page} has ${characters} readable characters`);
    } else if (page.confidence < UNREADABLE_CONFIDENCE) {
      reason(
        'UNREADABLE_PAGE',
        `page ${page.page} was read with confidence ${page.confidence.toFixed(2)}`,
      );
    }
  }
  if (found.identifiers.length === 0) {
    reason('MISSING_IDENTIFIER', 'no record number, MRN or CURP found');
  }
  if (!found.patientName) reason('MISSING_PATIENT_NAME', 'no patient name found');
  if (!found.dateOfBirth) reason('MISSING_DATE_OF_BIRTH', 'no date of birth found');
  const implausible = found.labs.filter(
    (lab) => lab.span.confidence <= IMPLAUSIBLE_LAB_CONFIDENCE,
  ).length;
  if (implausible > 0) {
    reason(
      'IMPLAUSIBLE_LAB_VALUE',
      `${implausible} lab value(s) contradict their printed flag or range: a misread decimal point?`,
    );
  }
  const penalty = reasons.reduce((sum, { penalty }) => sum + penalty, 0);
  const score = Math.max(0, Math.round((1 - penalty) * 1000) / 1000);
  return { score, reasons };
}
