import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createEventCodec, type EventCodec, type FieldSealer } from '../../schemas/codec.ts';
import type { EventType } from '../../schemas/events.ts';
import type { Encryption } from './encryption.ts';
import { KeyDestroyedError } from './errors.ts';
import { openParts, sealingPurpose, sealingSubject, splitSealed } from './sealed-events.ts';

/** Seals and opens events' patient data through the encryption port (see sealed-events.ts). */
export function createFieldSealer(encryption: Encryption): FieldSealer {
  return {
    async seal(event) {
      const { data, entries } = splitSealed(event.type, event.data);
      if (entries.length === 0) return { data, sealed: [] };
      const subject = sealingSubject(event.type, event.metadata);
      try {
        const ciphertext = await encryption.encryptFor(
          subject,
          JSON.stringify(entries),
          sealingPurpose(event.metadata.eventId),
        );
        return { data, sealed: [{ keyRef: subject.subject, ciphertext }] };
      } catch (error) {
        // Erased while the event was on its way (a processor deciding on what it read before):
        // it is written as the erased subject's events read, blank, rather than never.
        if (error instanceof KeyDestroyedError) return { data, sealed: [] };
        throw error;
      }
    },

    async open(event, sealed) {
      const { tenantId, eventId } = event.metadata;
      const expected = { tenantId, purpose: sealingPurpose(eventId) };
      const data = await openParts(event.data, sealed, event.metadata, (ciphertext) =>
        encryption.decrypt(ciphertext, expected),
      );
      return { ...event, data } as typeof event;
    },
  };
}

/** The event codec every part of docstream uses: patient data sealed on the wire. */
export function createSealingCodec(
  registry: SchemaRegistry,
  schemaIds: ReadonlyMap<EventType, number>,
  encryption: Encryption,
): EventCodec {
  return createEventCodec(registry, schemaIds, createFieldSealer(encryption));
}
