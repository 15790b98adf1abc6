import { randomUUID } from 'node:crypto';
import type { DocumentUploaded } from '../../schemas/events.ts';

type Overrides = {
  metadata?: Partial<DocumentUploaded['metadata']>;
  data?: Partial<DocumentUploaded['data']>;
};

/** A valid DocumentUploaded with fresh ids; override what the test is about. */
export function documentUploaded(overrides: Overrides = {}): DocumentUploaded {
  const documentId = overrides.metadata?.aggregateId ?? randomUUID();
  return {
    type: 'DocumentUploaded',
    metadata: {
      eventId: randomUUID(),
      occurredAt: Date.parse('2026-11-24T10:00:00.123Z'),
      tenantId: 'tenant-a',
      aggregateId: documentId,
      correlationId: randomUUID(),
      causationId: null,
      actor: 'api-client',
      ...overrides.metadata,
    },
    data: {
      fileName: '4471_PEREZ LOPEZ, ANA_12_LAB.pdf',
      mediaType: 'application/pdf',
      sizeBytes: 1234,
      sha256: 'a'.repeat(64),
      blobRef: `sha256:${'a'.repeat(64)}`,
      externalPatientId: 'EXP-4471',
      documentTypeHint: 'lab-result',
      duplicateOf: null,
      ...overrides.data,
    },
  };
}
