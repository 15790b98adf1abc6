import { type TSchema, Type } from 'typebox';
import { ALLOWED_MEDIA_TYPES } from '../../infra/blobs/media-type.ts';
import { TENANT_ID_PATTERN } from '../../producers/upload/fields.ts';
import { DOCUMENT_STATUSES, MATCH_STATUSES } from '../../projections/documents/projection.ts';
import { DOCUMENT_TYPES } from '../../schemas/document-types.ts';
import { POSITION_TOKEN_PATTERN } from '../read-your-writes.ts';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const TenantQuery = Type.String({
  pattern: TENANT_ID_PATTERN,
  description: "Optional: the credential's tenant decides; another tenant's id is refused (403)",
});

export const MinPosition = Type.String({
  pattern: POSITION_TOKEN_PATTERN,
  description:
    'A position token returned by a command: partition:offset on the document log, patient:partition:offset or batch:partition:offset on the others; the read waits until its read models have applied it',
});

export const LogPositionSchema = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  offset: Type.String(),
});

export const PositionToken = Type.Object({
  ...LogPositionSchema.properties,
  token: Type.String({ description: 'Pass as minPosition to read your own write' }),
});

export const DocumentSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  status: Type.String(),
  fileName: Type.String(),
  mediaType: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  externalPatientId: Type.Union([Type.String(), Type.Null()]),
  documentTypeHint: Type.Union([Type.String(), Type.Null()]),
  duplicateOf: Type.Union([Type.String(), Type.Null()]),
  correlationId: Type.String(),
  uploadedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  round: Type.Integer({ description: '1 for the upload, one more per reprocess' }),
  statusReason: Nullable(
    Type.String({ description: 'Why it was rejected or failed: a stable code' }),
  ),
  statusMessage: Nullable(Type.String()),
  exportName: Nullable(Type.Object({ recordNumber: Type.String(), typeCode: Type.String() })),
  pageCount: Nullable(Type.Integer()),
  text: Nullable(
    Type.Object({
      method: Type.String(),
      language: Type.String(),
      confidence: Type.Number(),
      chars: Type.Integer(),
    }),
  ),
  classification: Nullable(
    Type.Object({
      documentType: Type.String(),
      confidence: Type.Number(),
      evidence: Type.Array(Type.Object({}, { additionalProperties: true })),
    }),
  ),
  quality: Nullable(
    Type.Object({
      score: Type.Number(),
      reasons: Type.Array(Type.Object({}, { additionalProperties: true })),
    }),
  ),
  parentDocumentId: Nullable(
    Type.String({ description: 'The zip or e-mail this document was taken out of' }),
  ),
  entryPath: Nullable(
    Type.String({ description: 'Its path in that zip (nested ones joined by /) or e-mail' }),
  ),
  children: Nullable(
    Type.Object(
      {
        accepted: Type.Integer({ description: 'Entries that became child documents' }),
        rejected: Type.Array(
          Type.Object({
            entryPath: Type.String(),
            reason: Type.String({ description: 'A stable code, e.g. ARCHIVE_ENTRY_PATH_UNSAFE' }),
            message: Type.String(),
          }),
        ),
      },
      { description: 'For a zip or an e-mail once opened; null for any other document' },
    ),
  ),
  patientMatch: Nullable(
    Type.Object({
      status: Type.String({ enum: [...MATCH_STATUSES] }),
      patientId: Nullable(Type.String()),
      score: Nullable(Type.Number()),
      method: Nullable(Type.String()),
      reviewId: Nullable(Type.String()),
    }),
  ),
});

export const ListQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  status: Type.Optional(Type.Union(DOCUMENT_STATUSES.map((s) => Type.Literal(s)))),
  documentType: Type.Optional(Type.Union(DOCUMENT_TYPES.map((t) => Type.Literal(t)))),
  mediaType: Type.Optional(Type.Union(ALLOWED_MEDIA_TYPES.map((m) => Type.Literal(m)))),
  externalPatientId: Type.Optional(Type.String({ maxLength: 128 })),
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  parentDocumentId: Type.Optional(Type.String({ format: 'uuid' })),
  uploadedFrom: Type.Optional(Type.String({ format: 'date-time' })),
  uploadedTo: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  minPosition: Type.Optional(MinPosition),
});

export const ReadQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  minPosition: Type.Optional(MinPosition),
});

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const HistorySchema = Type.Object({
  documentId: Type.String(),
  events: Type.Array(
    Type.Object({
      eventId: Type.String(),
      type: Type.String(),
      occurredAt: Type.String({ format: 'date-time' }),
      actor: Type.String(),
      correlationId: Type.String(),
      causationId: Type.Union([Type.String(), Type.Null()]),
      round: Type.Integer(),
      position: LogPositionSchema,
      principal: Nullable(
        Type.String({ description: 'Whose request it records (`kind:id`); null for a processor' }),
      ),
      processor: Nullable(
        Type.Object(
          { name: Type.String(), version: Type.String() },
          { description: 'The processor and version that decided it; null for a principal' },
        ),
      ),
    }),
  ),
});

export const UploadAcceptedSchema = Type.Object({
  documentId: Type.String(),
  duplicateOf: Type.Union([Type.String(), Type.Null()]),
  mediaType: Type.String(),
  sha256: Type.String(),
  correlationId: Type.String(),
  position: PositionToken,
});

export const ReprocessBody = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

export const ReprocessAcceptedSchema = Type.Object({
  documentId: Type.String(),
  round: Type.Integer(),
  correlationId: Type.String(),
  position: PositionToken,
});

export const TextSchema = Type.Object({
  documentId: Type.String(),
  pages: Type.Array(
    Type.Object({
      page: Type.Integer(),
      round: Type.Integer(),
      method: Type.String(),
      confidence: Type.Number(),
      text: Type.String(),
    }),
  ),
});

export const SearchQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  q: Type.String({ minLength: 1, maxLength: 500, description: 'Words, "phrases", -excluded, or' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  minPosition: Type.Optional(MinPosition),
});

export const SearchResultSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      documentId: Type.String(),
      rank: Type.Number(),
      pages: Type.Array(Type.Integer()),
      snippet: Type.String({ description: 'Matches wrapped in <mark></mark>' }),
      fileName: Type.String(),
      status: Type.String(),
      documentType: Nullable(Type.String()),
    }),
  ),
});
