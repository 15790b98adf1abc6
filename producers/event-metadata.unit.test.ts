import { describe, expect, it } from 'vitest';
import { newMetadata } from './event-metadata.ts';

describe('newMetadata', () => {
  const ids = ['event-1', 'event-2'];
  const stamp = { now: () => 1_700_000_000_000, newId: () => ids.shift() ?? 'none' };
  const fields = {
    tenantId: 'tenant-a',
    aggregateId: 'doc-1',
    correlationId: 'request-1',
    actor: 'user:ana',
  };

  it('gives each event a new id and the time, and no cause unless one is named', () => {
    expect(newMetadata(stamp, fields)).toEqual({
      eventId: 'event-1',
      occurredAt: 1_700_000_000_000,
      ...fields,
      causationId: null,
    });
    expect(newMetadata(stamp, { ...fields, causationId: 'event-0' })).toMatchObject({
      eventId: 'event-2',
      causationId: 'event-0',
    });
  });
});
