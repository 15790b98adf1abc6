import { describe, expect, it } from 'vitest';
import { faultReason, isEventFault } from './event-faults.ts';

const pgError = (code: string, fields: object = {}) =>
  Object.assign(new Error('new row violates check constraint, failing row contains (Ana Perez)'), {
    code,
    ...fields,
  });

describe('isEventFault', () => {
  it('blames the event for data, integrity and statement errors', () => {
    expect(['23514', '23505', '22P02', '42703'].map((code) => isEventFault(pgError(code)))).toEqual(
      [true, true, true, true],
    );
  });

  it('blames the infrastructure for connection, restart, deadlock and Kafka errors', () => {
    const faults = [
      pgError('08006'),
      pgError('57P01'),
      pgError('40P01'),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('Broker not available'), { name: 'KafkaJSProtocolError' }),
    ];
    expect(faults.map(isEventFault)).toEqual([false, false, false, false, false, false]);
  });

  it('blames the event for a handler that throws or a blob that is not there', () => {
    expect(isEventFault(new TypeError('cannot read pages'))).toBe(true);
    expect(isEventFault(Object.assign(new Error('no such blob'), { code: 'ENOENT' }))).toBe(true);
  });
});

describe('faultReason', () => {
  it('gives the SQLSTATE, constraint, table and column, never the row quoted in the message', () => {
    const reason = faultReason(
      pgError('23514', { constraint: 'probe_tenant_check', table: 'probe', column: undefined }),
      3,
    );
    expect(reason).toBe(
      'statement failed after 3 tries: SQLSTATE 23514, constraint probe_tenant_check, table probe',
    );
    expect(reason).not.toMatch(/Ana/);
  });
});
