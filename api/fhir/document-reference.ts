import type { DocumentView } from '../../projections/documents/queries.ts';
import { documentTypeConcept } from './terminology.ts';
import type { DocumentReference } from './types.ts';

/**
 * A document as a DocumentReference: its type, its patient (merges followed), when it was
 * uploaded, and two contents: the text read from it (the API's `/documents/:id/text`, JSON),
 * and the original file as uploaded (its type, name and size).
 */
export function toDocumentReference(apiBase: string, document: DocumentView): DocumentReference {
  const patientId = document.patientMatch?.patientId;
  const type = document.classification?.documentType;
  return {
    resourceType: 'DocumentReference',
    id: document.id,
    status: 'current',
    ...(type ? { type: documentTypeConcept(type) } : {}),
    ...(patientId ? { subject: { reference: `Patient/${patientId}` } } : {}),
    date: document.uploadedAt,
    description: document.fileName,
    content: [
      {
        attachment: {
          contentType: 'application/json',
          url: `${apiBase}/documents/${document.id}/text`,
          title: `Text of ${document.fileName}, page by page`,
        },
      },
      {
        attachment: {
          contentType: document.mediaType,
          title: document.fileName,
          size: document.sizeBytes,
          creation: document.uploadedAt,
        },
      },
    ],
  };
}
