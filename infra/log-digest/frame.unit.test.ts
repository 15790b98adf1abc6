import { describe, expect, it } from 'vitest';
import { frameRecord, fromKafkaMessage, type LogRecord } from './frame.ts';

const record = (overrides: Partial<LogRecord> = {}): LogRecord => ({
  offset: '7',
  timestamp: '1700000000000',
  key: Buffer.from('doc-1'),
  value: Buffer.from([0, 0, 0, 0, 3, 42]),
  headers: [['event-type', Buffer.from('DocumentUploaded')]],
  ...overrides,
});

describe('the canonical frame of a record', () => {
  it('lays out offset, timestamp, key, value and headers with their lengths', () => {
    const frame = frameRecord(
      record({
        key: Buffer.from('k'),
        value: Buffer.from('vv'),
        headers: [['h', Buffer.from('x')]],
      }),
    );
    expect(frame.toString('hex')).toBe(
      [
        '0000000000000007', // offset
        '0000018bcfe56800', // timestamp
        '00000001',
        '6b', // key
        '00000002',
        '7676', // value
        '00000001', // one header
        '00000001',
        '68',
        '00000001',
        '78',
      ].join(''),
    );
  });

  it('tells a null key or value from an empty one', () => {
    const nullKey = frameRecord(record({ key: null }));
    const emptyKey = frameRecord(record({ key: Buffer.alloc(0) }));
    expect(nullKey.equals(emptyKey)).toBe(false);
    expect(nullKey.subarray(16, 20).toString('hex')).toBe('ffffffff');
    expect(emptyKey.subarray(16, 20).toString('hex')).toBe('00000000');
  });

  it('cannot be made the same by moving bytes between key and value', () => {
    const a = frameRecord(record({ key: Buffer.from('ab'), value: Buffer.from('c') }));
    const b = frameRecord(record({ key: Buffer.from('a'), value: Buffer.from('bc') }));
    expect(a.equals(b)).toBe(false);
  });

  it('depends on the order of headers and on the offset', () => {
    const h1: [string, Buffer] = ['a', Buffer.from('1')];
    const h2: [string, Buffer] = ['b', Buffer.from('2')];
    expect(
      frameRecord(record({ headers: [h1, h2] })).equals(frameRecord(record({ headers: [h2, h1] }))),
    ).toBe(false);
    expect(frameRecord(record({ offset: '8' })).equals(frameRecord(record()))).toBe(false);
  });

  it('takes each occurrence of a repeated kafkajs header in order', () => {
    const r = fromKafkaMessage({
      offset: '1',
      timestamp: '2',
      key: null,
      value: null,
      headers: { a: [Buffer.from('1'), Buffer.from('2')], b: 'text', c: undefined },
    });
    expect(r.headers).toEqual([
      ['a', Buffer.from('1')],
      ['a', Buffer.from('2')],
      ['b', Buffer.from('text')],
      ['c', null],
    ]);
  });
});
