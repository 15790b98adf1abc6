import { Type } from 'typebox';
import { ALLOWED_MEDIA_TYPES } from '../../producers/upload/content-type.ts';
import { TENANT_ID_PATTERN } from '../../producers/upload/fields.ts';

export const TenantQuery = Type.String({ pattern: TENANT_ID_PATTERN, description: 'Tenant scope' });

export const MinPosition = Type.String({
  pattern: '^[0-9]+:[0-9]+$',
  description:
    'partition:offset of an event on the document log (as returned by an upload); the read waits until the read model has applied it',
});

export const LogPositionSchema = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  offset: Type.String(),
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
});

export const ListQuery = Type.Object({
  tenantId: TenantQuery,
  status: Type.Optional(Type.String()),
  mediaType: Type.Optional(Type.Union(ALLOWED_MEDIA_TYPES.map((m) => Type.Literal(m)))),
  externalPatientId: Type.Optional(Type.String({ maxLength: 128 })),
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  uploadedFrom: Type.Optional(Type.String({ format: 'date-time' })),
  uploadedTo: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  minPosition: Type.Optional(MinPosition),
});

export const ReadQuery = Type.Object({
  tenantId: TenantQuery,
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
      position: LogPositionSchema,
    }),
  ),
});

export const UploadAcceptedSchema = Type.Object({
  documentId: Type.String(),
  duplicateOf: Type.Union([Type.String(), Type.Null()]),
  mediaType: Type.String(),
  sha256: Type.String(),
  correlationId: Type.String(),
  position: Type.Object({
    topic: Type.String(),
    partition: Type.Integer(),
    offset: Type.String(),
    token: Type.String({ description: 'Pass as minPosition to read your own write' }),
  }),
});
