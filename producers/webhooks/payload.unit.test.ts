import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../schemas/events.ts';
import { webhookPayload } from './payload.ts';

describe('webhookPayload', () => {
  it('carries the type, metadata and data, with bigints and bytes made JSON', () => {
    const event = {
      type: 'BatchOpened',
      metadata: {
        eventId: 'e1',
        occurredAt: Date.UTC(2025, 0, 2, 3, 4, 5),
        tenantId: 't',
        aggregateId: 'b1',
        correlationId: 'b1',
        causationId: null,
        actor: 'key-1',
      },
      data: { name: 'ward 3', size: 2n ** 60n, digest: Buffer.from([1, 2, 3]) },
    } as unknown as DomainEvent;
    expect(JSON.parse(webhookPayload(event))).toEqual({
      type: 'BatchOpened',
      timestamp: '2025-01-02T03:04:05.000Z',
      metadata: { ...event.metadata },
      data: { name: 'ward 3', size: '1152921504606846976', digest: 'AQID' },
    });
  });
});
