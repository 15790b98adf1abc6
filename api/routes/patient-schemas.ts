import { Type } from 'typebox';
import { REVIEW_ACTIONS } from '../../producers/review/resolution.ts';
import { REVIEW_STATUSES } from '../../projections/reviews/projection.ts';
import { ANY_STATUS } from '../../projections/reviews/queries.ts';
import { MinPosition, Nullable, PositionToken, TenantQuery } from './document-schemas.ts';

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';
export const PatientIdParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });
export const ReviewIdParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });

export const LogReadQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  minPosition: Type.Optional(MinPosition),
});

const page = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
};

export const PatientListQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Part of the name, any case or accents',
    }),
  ),
  ...page,
  minPosition: Type.Optional(MinPosition),
});

export const LabsQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  test: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Test name, any case or accents' }),
  ),
  minPosition: Type.Optional(MinPosition),
});

export const ReviewListQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  status: Type.Union(
    [...REVIEW_STATUSES, ANY_STATUS].map((s) => Type.Literal(s)),
    { default: 'open' },
  ),
  documentId: Type.Optional(
    Type.String({ pattern: ID_PATTERN, description: 'Only the reviews of this document' }),
  ),
  ...page,
  minPosition: Type.Optional(MinPosition),
});

const Identifier = Type.Object({
  kind: Type.String(),
  value: Type.String(),
  /** The facility that issued a patient's record number; a subject names its facility once. */
  facility: Type.Optional(Nullable(Type.String())),
});

export const PatientSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  facility: Nullable(Type.String()),
  name: Nullable(Type.String()),
  surnames: Nullable(Type.String()),
  givenNames: Nullable(Type.String()),
  dateOfBirth: Nullable(Type.String({ format: 'date' })),
  sex: Nullable(Type.String()),
  identifiers: Type.Array(Identifier),
  reason: Nullable(Type.String({ description: '`match` or `review`: who decided it was new' })),
  registeredAt: Type.String({ format: 'date-time' }),
  registeredByDocument: Nullable(Type.String()),
  mergedInto: Nullable(
    Type.String({ description: 'Set when the patient asked for was merged: this survivor' }),
  ),
  mergedIds: Type.Array(Type.String(), { description: 'Patients merged into this one' }),
});

export const PatientListSchema = Type.Object({
  items: Type.Array(PatientSchema),
  nextCursor: Nullable(Type.String()),
});

export const PatientDetailSchema = Type.Object({
  ...PatientSchema.properties,
  documents: Type.Array(
    Type.Object({
      id: Type.String(),
      fileName: Type.String(),
      documentType: Nullable(Type.String()),
      status: Type.String(),
      uploadedAt: Type.String({ format: 'date-time' }),
      patientId: Type.String({ description: 'The patient it was matched to, before merges' }),
      matchStatus: Type.String(),
      matchScore: Nullable(Type.Number()),
      matchMethod: Nullable(Type.String()),
    }),
  ),
});

const Source = {
  documentId: Type.String(),
  observedOn: Nullable(Type.String({ format: 'date' })),
  span: Type.Object({
    page: Type.Integer(),
    start: Type.Integer(),
    end: Type.Integer(),
    confidence: Type.Number(),
  }),
};

export const LabsSchema = Type.Object({
  patientId: Type.String(),
  labs: Type.Array(
    Type.Object({
      ...Source,
      test: Type.String(),
      value: Type.Number(),
      unit: Nullable(Type.String()),
      referenceRange: Nullable(Type.String()),
      referenceLow: Nullable(Type.Number()),
      referenceHigh: Nullable(Type.Number()),
      flag: Nullable(Type.String()),
      flagSource: Nullable(Type.String()),
    }),
  ),
});

export const MedicationsSchema = Type.Object({
  patientId: Type.String(),
  medications: Type.Array(
    Type.Object({
      ...Source,
      name: Type.String(),
      strength: Nullable(Type.String()),
      route: Nullable(Type.String()),
      frequency: Nullable(Type.String()),
      timesPerDay: Nullable(Type.Number()),
    }),
  ),
});

export const DiagnosesSchema = Type.Object({
  patientId: Type.String(),
  diagnoses: Type.Array(
    Type.Object({ ...Source, text: Type.String(), icd10: Nullable(Type.String()) }),
  ),
});

export const EntitiesSchema = Type.Object({
  documentId: Type.String(),
  round: Nullable(Type.Integer()),
  dateFormat: Nullable(Type.String()),
  extractedAt: Nullable(Type.String({ format: 'date-time' })),
  entities: Nullable(
    Type.Object(
      {},
      { additionalProperties: true, description: 'As EntitiesExtracted carries them' },
    ),
  ),
});

const Subject = Type.Object({
  facility: Nullable(Type.String()),
  identifiers: Type.Array(Identifier),
  name: Nullable(Type.String()),
  surnames: Nullable(Type.String()),
  givenNames: Nullable(Type.String()),
  dateOfBirth: Nullable(Type.String()),
  sex: Nullable(Type.String()),
});

const Candidate = Type.Object({
  patientId: Type.String(),
  score: Type.Number(),
  evidence: Type.Array(
    Type.Object({
      field: Type.String(),
      agreement: Nullable(Type.Number()),
      weight: Type.Number(),
      detail: Type.String(),
    }),
  ),
});

export const ReviewSchema = Type.Object({
  id: Type.String(),
  documentId: Type.String(),
  round: Type.Integer(),
  score: Type.Number(),
  status: Type.String(),
  subject: Subject,
  candidates: Type.Array(Candidate),
  requestedAt: Type.String({ format: 'date-time' }),
  resolvedAt: Nullable(Type.String({ format: 'date-time' })),
  resolvedBy: Nullable(Type.String()),
  patientId: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const ReviewDetailSchema = Type.Object({
  ...ReviewSchema.properties,
  evidence: Type.Object(
    {
      pages: Type.Array(Type.Object({ page: Type.Integer(), text: Type.String() })),
      marks: Type.Array(
        Type.Object({
          field: Type.Union([
            Type.Literal('name'),
            Type.Literal('dateOfBirth'),
            Type.Literal('identifier'),
          ]),
          kind: Nullable(Type.String()),
          value: Type.String(),
          page: Type.Integer(),
          start: Type.Integer({ description: "Offset in the page's text" }),
          end: Type.Integer(),
          confidence: Type.Number(),
        }),
      ),
      pageImages: Type.Boolean({
        description:
          'Whether the pages can be seen as images (GET /documents/{documentId}/pages/{page}/image): a PDF or a scan, not a text file',
      }),
    },
    {
      description:
        "The document's text (latest round) and where its patient's name, date of birth and identifiers were read in it",
    },
  ),
});

export const ReviewListSchema = Type.Object({
  items: Type.Array(ReviewSchema),
  nextCursor: Nullable(Type.String()),
});

export const ResolveBody = Type.Object(
  {
    tenantId: Type.Optional(TenantQuery),
    action: Type.Union(REVIEW_ACTIONS.map((a) => Type.Literal(a))),
    patientId: Type.Optional(
      Type.String({ pattern: ID_PATTERN, description: 'The patient to assign (assign only)' }),
    ),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const ResolveAcceptedSchema = Type.Object({
  reviewId: Type.String(),
  documentId: Type.String(),
  resolution: Type.String(),
  patientId: Nullable(Type.String()),
  correlationId: Type.String(),
  position: PositionToken,
  patientPosition: Nullable(PositionToken),
});

export const MergeBody = Type.Object(
  {
    tenantId: Type.Optional(TenantQuery),
    mergedId: Type.String({ pattern: ID_PATTERN, description: 'The patient merged away' }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const MergeAcceptedSchema = Type.Object({
  survivorId: Type.String(),
  mergedId: Type.String(),
  correlationId: Type.String(),
  position: PositionToken,
});
