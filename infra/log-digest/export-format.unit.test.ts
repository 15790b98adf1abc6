import { describe, expect, it } from 'vitest';
import { digestLine, parseDigestLine, parseRecordLine, recordLine } from './export-format.ts';
import { frameRecord, type LogRecord } from './frame.ts';

describe('the export format', () => {
  it('gives back the exact bytes of a record, nulls included', () => {
    const record: LogRecord = {
      offset: '9007199254740993',
      timestamp: '1700000000000',
      key: null,
      value: Buffer.from([0, 1, 2, 255]),
      headers: [
        ['a', Buffer.from('x')],
        ['a', null],
      ],
    };
    const back = parseRecordLine(recordLine(record));
    expect(back).toEqual(record);
    expect(frameRecord(back).equals(frameRecord(record))).toBe(true);
  });

  it('gives back a digest byte for byte', () => {
    const digest = {
      topic: 't',
      partition: 1,
      firstOffset: '0',
      lastOffset: '2',
      recordCount: 2,
      framing: 'docstream-log-frame/1',
      previousDigest: Buffer.alloc(32, 1),
      digest: Buffer.alloc(32, 2),
      recordHashes: Buffer.alloc(64, 3),
      keyId: '0123456789abcdef',
      signature: Buffer.alloc(64, 4),
    };
    expect(parseDigestLine(digestLine(digest))).toEqual(digest);
  });
});
