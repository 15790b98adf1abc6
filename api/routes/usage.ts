import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid } from '../../infra/errors.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import type { QuotaStore } from '../../producers/quotas/store.ts';
import { tenantUsage, usageByDay } from '../../projections/usage/queries.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import type { AwaitReadModel } from '../read-your-writes.ts';
import { MinPosition, TenantQuery } from './document-schemas.ts';

const errors = { 400: ErrorBody, 504: ErrorBody };
const DAY_MS = 86_400_000;
/** The longest range one read of usage covers, in days. */
export const MAX_USAGE_DAYS = 366;
const DEFAULT_USAGE_DAYS = 31;

const Day = Type.String({ format: 'date', description: 'A UTC day, YYYY-MM-DD' });

const UsageQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  minPosition: Type.Optional(MinPosition),
});

const Counts = {
  documents: Type.Integer({ description: 'Documents uploaded' }),
  bytes: Type.Integer({ description: 'Bytes uploaded' }),
  pages: Type.Integer({ description: 'Pages validated, counted again in each reprocessed round' }),
  ocrPages: Type.Integer({ description: 'Pages whose text OCR read' }),
};

const UsageSchema = Type.Object({
  tenantId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(Type.Object({ day: Type.String(), ...Counts }), {
    description: 'The days of the range on which anything was used, in order',
  }),
  totals: Type.Object(Counts),
  storedBytes: Type.Integer({
    description: 'Bytes the tenant stores, over all days: repeats of its content count once',
  }),
});

// One schema with both types rather than a union: with type coercion on, a union's integer
// branch would read null as 0.
const Limit = (description: string) =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 0, description });
const QuotaFields = {
  maxStoredBytes: Limit('Bytes the tenant may store over all days'),
  maxDocumentsPerDay: Limit('Documents the tenant may upload per UTC day'),
  maxOcrPagesPerDay: Limit('Pages OCR may read for the tenant per UTC day'),
};
const QuotasSchema = Type.Object(QuotaFields);
const QuotaChangesBody = Type.Object(
  {
    tenantId: Type.Optional(TenantQuery),
    maxStoredBytes: Type.Optional(QuotaFields.maxStoredBytes),
    maxDocumentsPerDay: Type.Optional(QuotaFields.maxDocumentsPerDay),
    maxOcrPagesPerDay: Type.Optional(QuotaFields.maxOcrPagesPerDay),
  },
  { additionalProperties: false },
);

const isoDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

/** The range a usage read covers: `to` defaults to today (UTC), `from` to a month before it. */
export function usageRange(
  query: { from?: string; to?: string },
  now: number,
): { from: string; to: string } {
  const to = query.to ?? isoDay(now);
  const from = query.from ?? isoDay(Date.parse(to) - (DEFAULT_USAGE_DAYS - 1) * DAY_MS);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) throw invalid('INVALID_RANGE', '`from` is after `to`');
  if (days > MAX_USAGE_DAYS) {
    throw invalid('INVALID_RANGE', `a read of usage covers at most ${MAX_USAGE_DAYS} days`);
  }
  return { from, to };
}

export interface UsageRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  quotas: QuotaStore;
  awaitReadModel: AwaitReadModel;
  now: () => number;
}

/** The tenant's usage per day, and its quotas: read by admins and auditors, set by admins. */
export const usageRoutes: FastifyPluginAsyncTypebox<UsageRoutesOptions> = async (
  app,
  { db, quotas, awaitReadModel, now },
) => {
  app.get(
    '/usage',
    {
      config: { access: ACCESS.usage },
      schema: {
        summary: "The tenant's usage per UTC day, from `from` to `to` (inclusive)",
        querystring: UsageQuery,
        response: { 200: UsageSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { from, to } = usageRange(request.query, now());
      await awaitReadModel('usage', request.query.minPosition);
      const [days, { storedBytes }] = await Promise.all([
        usageByDay(db(tenantId), tenantId, from, to),
        tenantUsage(db(tenantId), tenantId, to),
      ]);
      const totals = { documents: 0, bytes: 0, pages: 0, ocrPages: 0 };
      for (const day of days) {
        totals.documents += day.documents;
        totals.bytes += day.bytes;
        totals.pages += day.pages;
        totals.ocrPages += day.ocrPages;
      }
      return { tenantId, from, to, days, totals, storedBytes };
    },
  );

  app.get(
    '/quotas',
    {
      config: { access: ACCESS.usage },
      schema: {
        summary: "The tenant's quotas; a null limit is no limit",
        querystring: Type.Object({ tenantId: Type.Optional(TenantQuery) }),
        response: { 200: QuotasSchema, ...errors },
      },
    },
    async (request) => quotas.get(principalOf(request).tenantId),
  );

  app.put(
    '/quotas',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: "Change the tenant's quotas",
        description:
          'Each limit given is set, a null one is cleared; one left out stays as it is. Uploads and reprocessing over a limit are refused with 429 QUOTA_EXCEEDED.',
        body: QuotaChangesBody,
        response: { 200: QuotasSchema, ...errors },
      },
    },
    async (request) => {
      const who = principalOf(request);
      const { tenantId: _named, ...changes } = request.body;
      return quotas.set(who.tenantId, changes, who.actor);
    },
  );
};
