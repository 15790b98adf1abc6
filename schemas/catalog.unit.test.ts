import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { documentUploaded } from '../test/support/events.ts';
import { EVENT_TYPES, eventSchema } from './catalog.ts';

describe('event schemas', () => {
  it.each(EVENT_TYPES)('%s carries the whole envelope inline and parses', (type) => {
    const schema = eventSchema(type);
    const envelope = schema.fields.find((f) => f.name === 'envelope');
    expect(envelope?.type).toMatchObject({ name: 'Envelope' });
    expect(() => avro.Type.forSchema(schema as never)).not.toThrow();
  });

  it('round-trips a DocumentUploaded through Avro', () => {
    const type = avro.Type.forSchema(eventSchema('DocumentUploaded') as never);
    const event = documentUploaded();
    const record = {
      envelope: { ...event.metadata, type: event.type },
      data: event.data,
      sealed: [],
    };
    expect(type.fromBuffer(type.toBuffer(record))).toEqual(record);
  });
});
