import { describe, expect, it } from 'vitest';
import { chainOf, documentUploaded } from '../../test/support/events.ts';
import { PROJECTIONS } from '../catalog.ts';
import { defineProjection, handleEach, insertRow, insertRows, sql } from './projection.ts';

const upload = documentUploaded();
const validated = chainOf(upload).validated({ pageCount: 4 });
const position = { topic: 'docs', partition: 2, offset: '41' };
const noBlobs = { blobs: { read: () => Promise.reject(new Error('no blobs')) } };

describe('defineProjection', () => {
  const pages = defineProjection({
    name: 'pages',
    handlers: {
      DocumentValidated: (event, at) => [sql('pages', event.data.pageCount, at.offset)],
      DocumentUploaded: (event) => [sql('upload', event.data.fileName)],
    },
    resolvers: {
      DocumentValidated: async (event) => ({ ...event, data: { ...event.data, pageCount: 9 } }),
    },
  });

  it('consumes exactly the event types it has handlers for', () => {
    expect([...pages.canHandle].sort()).toEqual(['DocumentUploaded', 'DocumentValidated']);
  });

  it("applies an event with its own type's handler, at its position", () => {
    expect(pages.handle(validated, position)).toEqual([sql('pages', 4, '41')]);
    expect(pages.handle(upload, position)).toEqual([sql('upload', upload.data.fileName)]);
  });

  it('applies nothing for an event type it has no handler for', () => {
    expect(pages.handle(chainOf(upload).rejected('PDF_ENCRYPTED'), position)).toEqual([]);
  });

  it("resolves an event with its own type's resolver, and leaves others as they are", async () => {
    expect(await pages.resolve(validated, noBlobs)).toMatchObject({ data: { pageCount: 9 } });
    expect(await pages.resolve(upload, noBlobs)).toBe(upload);
  });

  it('folds every type given to handleEach with the one handler', () => {
    const all = defineProjection({
      name: 'all',
      handlers: handleEach(['DocumentUploaded', 'DocumentValidated'], (event) => [
        sql('any', event.type),
      ]),
    });
    expect([...all.canHandle].sort()).toEqual(['DocumentUploaded', 'DocumentValidated']);
    expect(all.handle(validated, position)).toEqual([sql('any', 'DocumentValidated')]);
  });
});

describe('the read model catalog', () => {
  it('names each read model once, since its checkpoints are kept under its name', () => {
    const names = PROJECTIONS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('insertRow', () => {
  const head = 'INSERT INTO t (a, b)';
  const tail = 'ON CONFLICT DO NOTHING';

  it('is one row alone, and names its shape so rows of one shape can go together', () => {
    expect(insertRow(head, tail, 1, 'x')).toEqual({
      text: 'INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      values: [1, 'x'],
      row: { head, tail },
    });
  });

  it('goes together with rows of its shape as one multi-row INSERT, values in order', () => {
    expect(insertRows({ head, tail }, 2, [1, 'x', 2, 'y', 3, 'z'])).toEqual({
      text: 'INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING',
      values: [1, 'x', 2, 'y', 3, 'z'],
    });
  });

  it('refuses rows that update: one statement may not update a row twice', () => {
    expect(() => insertRow(head, 'ON CONFLICT (a) DO UPDATE SET b = excluded.b', 1, 'x')).toThrow(
      /cannot merge/,
    );
  });
});
