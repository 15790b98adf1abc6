import { Type } from 'typebox';
import { BATCH_STATUSES } from '../../projections/batches/projection.ts';
import { MinPosition, Nullable, PositionToken, TenantQuery } from './document-schemas.ts';

export const BatchParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const TenantOnlyQuery = Type.Object({ tenantId: Type.Optional(TenantQuery) });

export const BatchReadQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  minPosition: Type.Optional(MinPosition),
});

export const OpenBatchBody = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

export const BatchOpenedSchema = Type.Object({ batchId: Type.String(), position: PositionToken });

export const BatchClosedSchema = Type.Object({
  fileCount: Type.Integer(),
  position: PositionToken,
});

export const FileResultsSchema = Type.Object({
  files: Type.Array(
    Type.Union([
      Type.Object({
        fileName: Type.String(),
        documentId: Type.String(),
        duplicateOf: Nullable(Type.String()),
      }),
      Type.Object({
        fileName: Type.String(),
        error: Type.Object({ code: Type.String(), message: Type.String() }),
      }),
    ]),
    { description: 'One result per file part, in the order sent' },
  ),
});

const CountsSchema = Type.Object({
  files: Type.Integer(),
  processed: Type.Integer({ description: 'Rejected, failed, or given a patient decision' }),
  failed: Type.Integer({ description: 'Rejected or failed by the chain' }),
  matched: Type.Integer(),
  created: Type.Integer({ description: 'Registered as a new patient' }),
  inReview: Type.Integer(),
  pending: Type.Integer(),
});

const CompletionSchema = Nullable(
  Type.Object({
    processed: Type.Integer(),
    failed: Type.Integer(),
    matched: Type.Integer(),
    created: Type.Integer(),
    inReview: Type.Integer(),
  }),
);

export const BatchProgressSchema = Type.Object({
  batchId: Type.String(),
  status: Type.Enum([...BATCH_STATUSES]),
  fileCount: Nullable(Type.Integer({ description: 'Set when the batch is closed' })),
  counts: CountsSchema,
  completion: CompletionSchema,
});

export const BatchSchema = Type.Object({
  ...BatchProgressSchema.properties,
  tenantId: Type.String(),
  name: Nullable(Type.String()),
  openedAt: Type.String({ format: 'date-time' }),
  closedAt: Nullable(Type.String({ format: 'date-time' })),
  completedAt: Nullable(Type.String({ format: 'date-time' })),
  files: Type.Array(
    Type.Object({
      documentId: Type.String(),
      fileName: Type.String(),
      addedAt: Type.String({ format: 'date-time' }),
      status: Nullable(Type.String()),
      statusReason: Nullable(Type.String()),
      documentType: Nullable(Type.String()),
      matchStatus: Nullable(Type.String()),
      patientId: Nullable(Type.String()),
      parentDocumentId: Nullable(
        Type.String({ description: 'The zip or e-mail of the batch this file was taken out of' }),
      ),
    }),
  ),
});
