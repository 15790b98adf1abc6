/** What a document is; classify decides it, a client or an export file name may hint it. */
export const DOCUMENT_TYPES = [
  'lab-result',
  'prescription',
  'discharge-summary',
  'consultation-note',
  'radiology-report',
  'pathology-report',
  'referral',
  'invoice',
  'consent-form',
  'other',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
