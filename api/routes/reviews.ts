import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../infra/errors.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import type { ResolveReview } from '../../producers/review/resolve.ts';
import { findDocument } from '../../projections/documents/queries.ts';
import { reviewEvidence } from '../../projections/reviews/evidence.ts';
import { findReview, listReviews } from '../../projections/reviews/queries.ts';
import { AUDITED_READS } from '../audit/reads.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { type AwaitReadModel, withToken } from '../read-your-writes.ts';
import type { PageDrawer } from './page-images.ts';
import {
  LogReadQuery,
  ResolveAcceptedSchema,
  ResolveBody,
  ReviewDetailSchema,
  ReviewIdParams,
  ReviewListQuery,
  ReviewListSchema,
} from './patient-schemas.ts';

const errors = { 400: ErrorBody, 404: ErrorBody, 504: ErrorBody };

/** Patient-match reviews: the queue people work, and their decisions. */
export interface ReviewRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  resolveReview: ResolveReview;
  awaitReadModel: AwaitReadModel;
  /** Tells whether the document's pages can be seen as images. */
  pages: Pick<PageDrawer, 'draws'>;
}

export const reviewRoutes: FastifyPluginAsyncTypebox<ReviewRoutesOptions> = async (
  app,
  { db, resolveReview, awaitReadModel, pages },
) => {
  app.get(
    '/reviews',
    {
      config: { access: ACCESS.reviewer, audit: AUDITED_READS.reviewList },
      schema: {
        summary: 'Patient-match reviews, oldest first',
        description:
          'Each with who the document says its patient is (`subject`) and the closest patients with the evidence of each field compared. `status` defaults to `open`.',
        querystring: ReviewListQuery,
        response: { 200: ReviewListSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { status, documentId, limit, cursor, minPosition } = request.query;
      await awaitReadModel(['reviews'], minPosition);
      return listReviews(db(tenantId), tenantId, status, { limit, cursor }, documentId);
    },
  );

  app.get(
    '/reviews/:id',
    {
      config: { access: ACCESS.reviewer, audit: AUDITED_READS.review },
      schema: {
        summary: 'One review, with the document text and where its patient was read in it',
        description:
          "`evidence` is what the reviewer decides from: the document's pages and the spans of the name, date of birth and identifiers read from them.",
        params: ReviewIdParams,
        querystring: LogReadQuery,
        response: { 200: ReviewDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await awaitReadModel(['reviews', 'entities', 'text'], request.query.minPosition);
      const review = await findReview(db(tenantId), tenantId, request.params.id);
      if (!review) throw notFound('REVIEW_NOT_FOUND', 'no such review for this tenant');
      const [evidence, document] = await Promise.all([
        reviewEvidence(db(tenantId), tenantId, review.documentId),
        findDocument(db(tenantId), tenantId, review.documentId),
      ]);
      const pageImages = document ? pages.draws(document.mediaType) : false;
      return { ...review, evidence: { ...evidence, pageImages } };
    },
  );

  app.post(
    '/reviews/:id/resolve',
    {
      config: { access: ACCESS.reviewer },
      schema: {
        summary: 'Decide a review: assign the document to a patient, register a new one, or reject',
        description:
          '`assign` needs `patientId` (a merged patient is assigned as its survivor). `register` registers the subject as a new patient; `patientPosition` is then its place on the patient log. `position` is on the document log.',
        params: ReviewIdParams,
        body: ResolveBody,
        response: { 202: ResolveAcceptedSchema, 409: ErrorBody, 503: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { action, patientId, note } = request.body;
      const accepted = await resolveReview({
        tenantId,
        reviewId: request.params.id,
        actor: principalOf(request).actor,
        action,
        patientId: patientId ?? null,
        note: note ?? null,
        correlationId: request.id,
      });
      return reply.status(202).send({
        ...accepted,
        correlationId: request.id,
        position: withToken(accepted.position),
        patientPosition: accepted.patientPosition
          ? withToken(accepted.patientPosition, 'patient')
          : null,
      });
    },
  );
};
