import type { DomainEvent } from '../../schemas/events.ts';

/** The JSON a webhook receives for an event: all it holds, as Standard Webhooks shapes it. */
export function webhookPayload(event: DomainEvent): string {
  return JSON.stringify(
    {
      type: event.type,
      timestamp: new Date(event.metadata.occurredAt).toISOString(),
      metadata: event.metadata,
      data: event.data,
    },
    jsonSafe,
  );
}

/** What JSON cannot hold as it is: 64-bit integers as strings, bytes as base64. */
function jsonSafe(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  // Buffer's own toJSON has run by now: the holder still has the bytes.
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  return value;
}
