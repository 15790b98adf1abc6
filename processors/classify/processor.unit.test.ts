import { describe, expect, it } from 'vitest';
import { isRetriable } from '../../infra/errors.ts';
import type { TextExtracted } from '../../schemas/events.ts';
import { documentEvent } from '../../test/support/events.ts';
import { memoryBlobs } from '../../test/support/memory-blobs.ts';
import { processorSpec } from '../../test/support/processor-spec.ts';
import { classifyText, createClassifyProcessor } from './processor.ts';

const page = (number: number, text: string | null) => ({
  page: number,
  method: 'text-layer' as const,
  confidence: 1,
  charCount: text?.length ?? 0,
  text,
});

function textExtracted(data: Partial<TextExtracted['data']>, tenantId = 'tenant-a') {
  return documentEvent(
    'TextExtracted',
    {
      round: 1,
      method: 'text-layer',
      language: 'spa',
      confidence: 1,
      charCount: 0,
      pages: [],
      textRef: null,
      hint: null,
      ...data,
    },
    { tenantId },
  );
}

const DISCHARGE = 'RESUMEN DE EGRESO\nFecha de ingreso: 02/02/2026\nDías de estancia: 7';
const PRESCRIPTION =
  'RECETA MÉDICA\nRp/\n1. Losartán 50 mg tabletas\nTomar una tableta cada 24 horas';

describe('classify', () => {
  const blobs = memoryBlobs();
  const processor = createClassifyProcessor({ blobs });
  const spec = processorSpec(processor);

  it('is the classify processor, reading extracted text', () => {
    expect(processor).toMatchObject({ name: 'classify', version: '1.1.0' });
    expect(processor.consumes).toEqual(['TextExtracted']);
  });

  it('classifies the inline text in the round of the extraction', async () => {
    const event = textExtracted({ round: 3, pages: [page(1, DISCHARGE)] });
    const [draft] = await spec.when(event).thenMatches([
      {
        type: 'DocumentClassified',
        data: {
          round: 3,
          documentType: 'discharge-summary',
          scores: [{ documentType: 'discharge-summary' }],
        },
      },
    ]);
    const data = draft!.data as { confidence: number; evidence: Array<{ detail: string }> };
    expect(data.confidence).toBeGreaterThan(0.5);
    expect(data.evidence.map((item) => item.detail)).toContain('resumen de egreso');
  });

  it('reads the pages in page order, so the first page gives the title', async () => {
    const second = 'Indicaciones generales\nDieta baja en sal\nCaminar 30 minutos\nPágina 2';
    const event = textExtracted({ pages: [page(2, second), page(1, PRESCRIPTION)] });
    const [draft] = await spec
      .when(event)
      .thenMatches([{ type: 'DocumentClassified', data: { documentType: 'prescription' } }]);
    const { evidence } = draft!.data as { evidence: unknown[] };
    expect(evidence).toEqual(classifyText(`${PRESCRIPTION}\n${second}`, null).evidence);
    expect(evidence).not.toEqual(classifyText(`${second}\n${PRESCRIPTION}`, null).evidence);
  });

  it('reads the text from the blob of the event tenant when it was too large to carry', async () => {
    blobs.setAt(
      'tenant-b',
      'sha256:text-1',
      JSON.stringify({ pages: [{ page: 1, text: DISCHARGE }] }),
    );
    const event = textExtracted({ pages: [page(1, null)], textRef: 'sha256:text-1' }, 'tenant-b');
    await spec
      .when(event)
      .thenMatches([{ type: 'DocumentClassified', data: { documentType: 'discharge-summary' } }]);
    const elsewhere = textExtracted(
      { pages: [page(1, null)], textRef: 'sha256:text-1' },
      'tenant-a',
    );
    await spec.when(elsewhere).thenThrows((error) => !isRetriable(error));
  });

  it('keeps the hint as evidence and lets strong text overrule it', async () => {
    const hint = { documentType: 'invoice', source: 'client' } as const;
    const event = textExtracted({ pages: [page(1, PRESCRIPTION)], hint });
    const [draft] = await spec
      .when(event)
      .thenMatches([{ type: 'DocumentClassified', data: { documentType: 'prescription' } }]);
    expect((draft!.data as { evidence: unknown[] }).evidence).toContainEqual(
      expect.objectContaining({ source: 'client', documentType: 'invoice' }),
    );
  });

  it('dead-letters a text blob that is not the page list it should be', async () => {
    blobs.setAt('tenant-a', 'sha256:broken', '{"pages": [{"page": "one"}]');
    blobs.setAt('tenant-a', 'sha256:shapeless', '{"text": "RECETA"}');
    for (const textRef of ['sha256:broken', 'sha256:shapeless']) {
      await spec
        .when(textExtracted({ textRef }))
        .thenThrows((error) => !isRetriable(error) && String(error).includes(textRef));
    }
  });

  it('retries when the blob store fails for a passing reason', async () => {
    const failing = createClassifyProcessor({
      blobs: { read: async () => Promise.reject(new Error('ECONNRESET')) },
    });
    await processorSpec(failing)
      .when(textExtracted({ textRef: 'sha256:any' }))
      .thenThrows((error) => isRetriable(error));
  });
});
