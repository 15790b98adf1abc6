import { describe, expect, it } from 'vitest';
import { attributionOf } from './queries.ts';

describe('who wrote an event, from its actor', () => {
  it('given a processor actor, then it names the processor and its version', () => {
    expect(attributionOf('extract-text@1.1.0')).toEqual({
      principal: null,
      processor: { name: 'extract-text', version: '1.1.0' },
    });
  });

  it('given an API key or a user, then it is the principal', () => {
    expect(attributionOf('api-key:3f2a')).toEqual({ principal: 'api-key:3f2a', processor: null });
    expect(attributionOf('user:ana@example.org')).toEqual({
      principal: 'user:ana@example.org',
      processor: null,
    });
  });
});
