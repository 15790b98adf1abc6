import { describe, it } from 'vitest';
import type { DocumentUploaded, ExtractedPage } from '../../schemas/events.ts';
import { documentEvent, documentUploaded } from '../support/events.ts';
import { readModelDatabase } from '../support/projection-spec.ts';

const db = readModelDatabase('usage_facts, usage_daily');
const DAILY = `SELECT to_char(day, 'YYYY-MM-DD') AS day, documents, bytes::int, stored_bytes::int,
  pages, ocr_pages FROM usage_daily WHERE tenant_id = $1 ORDER BY day`;

const page = (n: number, method: ExtractedPage['method']): ExtractedPage => ({
  page: n,
  method,
  confidence: 0.9,
  charCount: 10,
  text: 'texto',
});
const on = (upload: DocumentUploaded, occurredAt = upload.metadata.occurredAt) => ({
  aggregateId: upload.metadata.aggregateId,
  tenantId: upload.metadata.tenantId,
  occurredAt,
});
const validated = (upload: DocumentUploaded, round: number, pageCount: number) =>
  documentEvent(
    'DocumentValidated',
    {
      round,
      mediaType: 'application/pdf',
      blobRef: upload.data.blobRef,
      pageCount,
      pages: [],
      hint: null,
    },
    on(upload),
  );
const extracted = (upload: DocumentUploaded, round: number, pages: ExtractedPage[], at?: number) =>
  documentEvent(
    'TextExtracted',
    {
      round,
      method: 'mixed',
      language: 'spa',
      confidence: 0.9,
      charCount: 30,
      pages,
      textRef: null,
      hint: null,
    },
    on(upload, at),
  );

describe('the usage read model', () => {
  it('counts each document and round once, however often its events arrive', async () => {
    const upload = documentUploaded();
    const pages = [page(1, 'ocr'), page(2, 'text-layer'), page(3, 'ocr')];
    await db
      .spec()
      .given(upload, validated(upload, 1, 3), extracted(upload, 1, pages))
      // A redelivery, and a processor repeating the round under a new event id.
      .when(upload, validated(upload, 1, 3), extracted(upload, 1, pages))
      .thenRows(
        DAILY,
        ['tenant-a'],
        [
          {
            day: '2026-11-24',
            documents: 1,
            bytes: 1234,
            stored_bytes: 1234,
            pages: 3,
            ocr_pages: 2,
          },
        ],
      );
  });

  it('counts a reprocessed round again, on the day it ran, and a repeat upload as no new storage', async () => {
    const upload = documentUploaded();
    const repeat = documentUploaded({ data: { duplicateOf: upload.metadata.aggregateId } });
    const nextDay = Date.parse('2026-11-25T00:00:01Z');
    await db
      .spec()
      .given(upload, repeat, extracted(upload, 1, [page(1, 'ocr')]))
      .when(extracted(upload, 2, [page(1, 'ocr')], nextDay))
      .thenRows(
        DAILY,
        ['tenant-a'],
        [
          {
            day: '2026-11-24',
            documents: 2,
            bytes: 2468,
            stored_bytes: 1234,
            pages: 0,
            ocr_pages: 1,
          },
          { day: '2026-11-25', documents: 0, bytes: 0, stored_bytes: 0, pages: 0, ocr_pages: 1 },
        ],
      );
  });
});
