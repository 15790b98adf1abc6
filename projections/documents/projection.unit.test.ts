import { describe, expect, it } from 'vitest';
import { documentUploaded } from '../../test/support/events.ts';
import { documentsProjection } from './projection.ts';

const position = { topic: 'docstream.document.events', partition: 2, offset: '41' };

describe('documents projection', () => {
  it('when DocumentUploaded, then inserts the document as uploaded, once', () => {
    const event = documentUploaded({ data: { duplicateOf: 'first-doc' } });
    const [statement, ...rest] = documentsProjection.handle(event, position);
    expect(rest).toEqual([]);
    expect(statement?.text).toMatch(/^\s*INSERT INTO documents/);
    expect(statement?.text).toMatch(/ON CONFLICT \(tenant_id, document_id\) DO NOTHING/);
    expect(statement?.values.slice(0, 5)).toEqual([
      'tenant-a',
      event.metadata.aggregateId,
      'uploaded',
      event.data.fileName,
      'application/pdf',
    ]);
    expect(statement?.values).toContain('first-doc');
    expect(statement?.values.at(-1)).toEqual(new Date('2026-11-24T10:00:00.123Z'));
  });

  it('declares the event types it folds', () => {
    expect(documentsProjection.canHandle).toEqual(['DocumentUploaded']);
  });
});
