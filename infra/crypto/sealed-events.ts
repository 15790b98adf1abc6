/**
 * Patient data in events, sealed field by field so that destroying a subject's data key erases
 * it from the log (crypto-shredding).
 *
 * What: the fields marked `"sealed": true` in schemas/avro (schemas/sealed-fields.ts reads the
 * marks). On the wire they hold their blank value (null where the type allows it, else '', 0, []
 * or a record of blanks) and their values travel in the event's `sealed` parts, one ciphertext of
 * JSON `[[location, value], ...]` per subject, where a location is the field's path from the data
 * record with array indexes (`["pages", 0, "text"]`).
 *
 * Under which key: an event of a document (its aggregate) seals under documentSubject(tenant,
 * documentId), one of a patient under patientSubject(tenant, patientId). The ciphertext's purpose
 * is `event:<eventId>`, so a part moved into another event fails to open.
 *
 * Opening, the convention every reader relies on:
 *   - a part whose subject's keys were destroyed (erasure) is skipped: the event decodes with
 *     those fields blank, as on the wire; that is not a failure;
 *   - a part that does not open (altered bytes, another tenant's or event's, unreadable
 *     content) makes the event undecodable (UndecodableEventError, never retried): processors
 *     and projections dead-letter it with the reason and go on;
 *   - an event without parts (written before sealing) decodes with its fields as written.
 *
 * Sealing for a subject whose keys are already destroyed writes the event with those fields
 * blank and no part: what an erased subject's events say is blank, whenever they were written.
 */
import { EVENT_CATALOG } from '../../schemas/catalog.ts';
import { UndecodableEventError } from '../../schemas/codec.ts';
import type { EventMetadata, EventType, SealedPart } from '../../schemas/events.ts';
import { type SealedField, type SealedPath, sealedFields } from '../../schemas/sealed-fields.ts';
import { decodeHeader, documentSubject, patientSubject, type Subject } from './envelope.ts';
import { CiphertextInvalidError, KeyDestroyedError } from './errors.ts';

type Location = (string | number)[];

/** Whether a concrete location is one the sealed path names. */
const matches = (path: SealedPath, at: Location) =>
  path.length === at.length &&
  path.every((step, i) => (step === '*' ? typeof at[i] === 'number' : step === at[i]));

/** The subject whose data key seals an event's fields: its document's, or its patient's. */
export function sealingSubject(
  type: EventType,
  metadata: Pick<EventMetadata, 'tenantId' | 'aggregateId'>,
): Subject {
  const { aggregate } = EVENT_CATALOG[type];
  if (aggregate === 'document') return documentSubject(metadata.tenantId, metadata.aggregateId);
  if (aggregate === 'patient') return patientSubject(metadata.tenantId, metadata.aggregateId);
  throw new Error(`${type} events belong to no document or patient to seal under`);
}

export const sealingPurpose = (eventId: string) => `event:${eventId}`;

const isBlank = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length);

/** Every place in `data` the path names, with what it holds (`*`: each item of an array). */
function locate(data: unknown, path: readonly string[], at: Location = []) {
  const found: { at: Location; value: unknown }[] = [];
  const [head, ...rest] = path;
  if (head === undefined) return [{ at, value: data }];
  if (head === '*') {
    if (Array.isArray(data)) {
      for (const [i, item] of data.entries()) found.push(...locate(item, rest, [...at, i]));
    }
  } else if (data && typeof data === 'object' && !Array.isArray(data)) {
    found.push(...locate((data as Record<string, unknown>)[head], rest, [...at, head]));
  }
  return found;
}

type Node = Record<string | number, unknown>;

/**
 * Writes values into a copy of `root`, copying only the objects and arrays on the way to them:
 * the event given is never changed, and a long text's pages are not copied whole.
 */
function copyOnWrite(root: unknown) {
  const copies = new WeakSet<object>();
  const copy = (node: object): Node => {
    const copied = (Array.isArray(node) ? [...node] : { ...node }) as Node;
    copies.add(copied);
    return copied;
  };
  if (!root || typeof root !== 'object') {
    throw new UndecodableEventError('the event has no data to hold sealed fields');
  }
  const top = copy(root);
  return {
    top,
    set(at: Location, value: unknown) {
      let node = top;
      for (const step of at.slice(0, -1)) {
        const child = node[step];
        if (!child || typeof child !== 'object') {
          throw new UndecodableEventError('a sealed field names no place in the event');
        }
        const own = copies.has(child) ? (child as Node) : copy(child);
        node[step] = own;
        node = own;
      }
      const last = at.at(-1);
      if (last === undefined) throw new UndecodableEventError('a sealed field has no location');
      node[last] = value;
    },
  };
}

/**
 * The event's data with its sealed fields blank, and what they held as `[location, value]`
 * entries; none when every sealed field was blank already.
 */
export function splitSealed(
  type: EventType,
  data: unknown,
): { data: unknown; entries: [Location, unknown][] } {
  const fields = sealedFields(type);
  if (fields.length === 0) return { data, entries: [] };
  const entries: [Location, unknown][] = [];
  for (const { path } of fields) {
    for (const { at, value } of locate(data, path)) if (!isBlank(value)) entries.push([at, value]);
  }
  if (entries.length === 0) return { data, entries };
  const wire = copyOnWrite(data);
  for (const [at] of entries) {
    const { blank } = fields.find((f) => matches(f.path, at)) as SealedField;
    wire.set(at, blank !== null && typeof blank === 'object' ? structuredClone(blank) : blank);
  }
  return { data: wire.top, entries };
}

const isLocation = (at: unknown): at is Location =>
  Array.isArray(at) &&
  at.length > 0 &&
  at.every(
    (step) => typeof step === 'number' || (typeof step === 'string' && step !== '__proto__'),
  );

/**
 * Puts back into `data` what the parts seal, each opened by `decrypt` after its header is checked
 * against the event (tenant, purpose): see the convention at the top of this file.
 */
export async function openParts(
  data: unknown,
  sealed: readonly SealedPart[],
  metadata: Pick<EventMetadata, 'tenantId' | 'eventId'>,
  decrypt: (ciphertext: Buffer) => Promise<Buffer>,
): Promise<unknown> {
  const open = copyOnWrite(data);
  for (const part of sealed) {
    let entries: unknown;
    try {
      const { header } = decodeHeader(part.ciphertext);
      if (header.tenantId !== metadata.tenantId) {
        throw new CiphertextInvalidError('sealed for another tenant');
      }
      if (header.purpose !== sealingPurpose(metadata.eventId)) {
        throw new CiphertextInvalidError('sealed for another event');
      }
      entries = JSON.parse((await decrypt(part.ciphertext)).toString('utf8'));
    } catch (error) {
      if (error instanceof KeyDestroyedError) continue;
      // Never the parser's message: it may quote what it read.
      const reason =
        error instanceof CiphertextInvalidError
          ? error.message
          : error instanceof SyntaxError
            ? 'not JSON'
            : null;
      if (reason !== null) {
        throw new UndecodableEventError(`sealed fields of ${part.keyRef} refused: ${reason}`, {
          cause: error,
        });
      }
      throw error;
    }
    if (!Array.isArray(entries)) throw new UndecodableEventError('sealed fields are not a list');
    for (const entry of entries) {
      if (!Array.isArray(entry) || !isLocation(entry[0])) {
        throw new UndecodableEventError('a sealed field has no location');
      }
      open.set(entry[0], entry[1]);
    }
  }
  return open.top;
}
