import { describe, expect, it } from 'vitest';
import { asOfTime } from './as-of.ts';

const NOW = Date.parse('2026-11-30T20:00:00.000Z');

describe('asOfTime', () => {
  it('reads an ISO 8601 time with its offset', () => {
    expect(asOfTime('2026-11-30T21:30:00+02:00', NOW).toISOString()).toBe(
      '2026-11-30T19:30:00.000Z',
    );
  });

  it('takes now itself', () => {
    expect(asOfTime('2026-11-30T20:00:00.000Z', NOW).getTime()).toBe(NOW);
  });

  it('refuses a time still to come with a stable code', () => {
    expect(() => asOfTime('2026-11-30T20:00:00.001Z', NOW)).toThrow(
      expect.objectContaining({ code: 'AS_OF_IN_FUTURE' }),
    );
  });

  it('refuses what is not a time', () => {
    expect(() => asOfTime('2026-13-45Tnope', NOW)).toThrow(
      expect.objectContaining({ code: 'AS_OF_INVALID' }),
    );
  });
});
