import { describe, expect, it } from 'vitest';
import { documentUploaded } from '../../test/support/events.ts';
import { timelineProjection } from './projection.ts';

describe('timeline projection', () => {
  it('when any document event, then records it with its log position and actor', () => {
    const event = documentUploaded({
      metadata: { actor: 'validate@1.0.0', causationId: 'cause-1' },
    });
    const [statement] = timelineProjection.handle(event, {
      topic: 'd',
      partition: 4,
      offset: '9007199254740993',
    });
    expect(statement?.text).toMatch(/ON CONFLICT \(tenant_id, event_id\) DO NOTHING/);
    expect(statement?.values).toEqual([
      'tenant-a',
      event.metadata.aggregateId,
      event.metadata.eventId,
      'DocumentUploaded',
      'd',
      4,
      '9007199254740993',
      new Date(event.metadata.occurredAt),
      'validate@1.0.0',
      event.metadata.correlationId,
      'cause-1',
    ]);
  });

  it('folds every document event type', () => {
    expect(timelineProjection.canHandle).toContain('DocumentUploaded');
  });
});
