import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './paging.ts';

describe('document list cursor', () => {
  it('round-trips the last row key', () => {
    const cursor = encodeCursor('2026-11-24T10:00:00.123Z', 'doc-1');
    expect(decodeCursor(cursor)).toEqual(['2026-11-24T10:00:00.123Z', 'doc-1']);
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["yesterday","x"]').toString('base64url'),
  ])('refuses %j with INVALID_CURSOR', (cursor) =>
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' })),
  );
});
