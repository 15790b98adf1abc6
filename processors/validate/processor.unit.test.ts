import { describe, expect, it } from 'vitest';
import { BlobMissingError } from '../../infra/blobs/blob-store.ts';
import { isRetriable } from '../../infra/errors.ts';
import type { DocumentReprocessRequested } from '../../schemas/events.ts';
import { documentEvent, documentUploaded } from '../../test/support/events.ts';
import { processorSpec } from '../../test/support/processor-spec.ts';
import { validating } from '../../test/support/validating.ts';
import { createValidateProcessor } from './processor.ts';

const text = (content: string) => Buffer.from(content, 'utf8');
const TEXT_PAGE = { page: 1, width: 0, height: 0 };

describe('validate', () => {
  it('accepts plain text as one page and carries the client hint', async () => {
    const { spec, blobs } = validating();
    const blobRef = blobs.add('tenant-a', text('Paciente: María Pérez\nGlucosa 98 mg/dL\n'));
    const event = documentUploaded({ data: { mediaType: 'text/plain', blobRef } });
    await spec.when(event).thenEmits([
      {
        type: 'DocumentValidated',
        data: {
          round: 1,
          mediaType: 'text/plain',
          blobRef,
          pageCount: 1,
          pages: [TEXT_PAGE],
          hint: { documentType: 'lab-result', source: 'client' },
        },
      },
    ]);
  });

  it('takes the hint from the file name when the client gave none, else has none', async () => {
    const { spec, blobs } = validating();
    const blobRef = blobs.add('tenant-a', text('Informe de alta'));
    const exportName = { ...documentUploaded().data.exportName!, documentType: 'discharge' };
    const fromName = { mediaType: 'text/plain', blobRef, documentTypeHint: null, exportName };
    await spec.when(documentUploaded({ data: fromName })).thenMatches([
      {
        type: 'DocumentValidated',
        data: { hint: { documentType: 'discharge', source: 'file-name' } },
      },
    ]);
    const unhinted = { ...fromName, exportName: { ...exportName, documentType: null } };
    await spec
      .when(documentUploaded({ data: unhinted }))
      .thenMatches([{ type: 'DocumentValidated', data: { hint: null } }]);
  });

  it('validates a reprocess request in its round, with its hint', async () => {
    const { spec, blobs } = validating();
    const hint = { documentType: 'referral', source: 'client' } as const;
    const data: DocumentReprocessRequested['data'] = {
      round: 3,
      reason: 'new OCR model',
      mediaType: 'text/plain',
      blobRef: blobs.add('tenant-a', text('Derivación a cardiología')),
      hint,
    };
    await spec
      .when(documentEvent('DocumentReprocessRequested', data))
      .thenMatches([{ type: 'DocumentValidated', data: { round: 3, hint, pages: [TEXT_PAGE] } }]);
    const rejected = { ...data, blobRef: blobs.add('tenant-a', text(' \n\t ')) };
    await spec
      .when(documentEvent('DocumentReprocessRequested', rejected))
      .thenMatches([{ type: 'DocumentRejected', data: { round: 3, reason: 'TEXT_EMPTY' } }]);
  });

  it('rejects text that is not UTF-8 anywhere in the file', async () => {
    const { spec, upload } = validating();
    const latin1 = Buffer.concat([text('a'.repeat(5000)), Buffer.from('Mar\xeda', 'latin1')]);
    await spec.when(upload(latin1, 'text/plain')).thenEmits([
      {
        type: 'DocumentRejected',
        data: { round: 1, reason: 'TEXT_NOT_UTF8', message: 'the text is not valid UTF-8' },
      },
    ]);
  });

  it('rejects a media type it has no checks for', async () => {
    const { spec, upload } = validating();
    await spec
      .when(upload(Buffer.from('PK\x03\x04'), 'application/zip'))
      .thenMatches([{ type: 'DocumentRejected', data: { reason: 'UNSUPPORTED_MEDIA_TYPE' } }]);
  });

  it('fails permanently, without rejecting the document, when its bytes are gone', async () => {
    const { spec } = validating();
    const error = await spec
      .when(documentUploaded({ data: { blobRef: `sha256:${'0'.repeat(64)}` } }))
      .thenThrows(/not in the blob store/);
    expect(error).toBeInstanceOf(BlobMissingError);
    expect(isRetriable(error)).toBe(false);
  });

  it('lets any other read failure through, to be retried', async () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const blobs = { read: () => Promise.reject(outage) };
    const spec = processorSpec(createValidateProcessor({ blobs }));
    const error = await spec.when(documentUploaded()).thenThrows(/ECONNREFUSED/);
    expect(error).toBe(outage);
    expect(isRetriable(error)).toBe(true);
  });

  it('names itself for the actor of what it emits and consumes uploads and reprocessing', () => {
    const processor = createValidateProcessor({ blobs: { read: async () => Buffer.alloc(0) } });
    expect([processor.name, processor.version]).toEqual(['validate', '1.3.1']);
    expect(processor.consumes).toEqual(['DocumentUploaded', 'DocumentReprocessRequested']);
  });
});
