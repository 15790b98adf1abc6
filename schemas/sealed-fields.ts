import {
  type AvroField,
  type AvroRecordSchema,
  EVENT_TYPES,
  eventSchema,
  NAMESPACE,
} from './catalog.ts';
import type { EventType } from './events.ts';

/**
 * Which fields of an event's data are patient data, read from the `"sealed": true` marks of its
 * schema (schemas/avro): the one list of what travels sealed. A path names a field from the data
 * record down; `*` stands for every item of an array.
 */
export type SealedPath = readonly string[];

export interface SealedField {
  readonly path: SealedPath;
  /** What the field holds on the wire in place of its value: null, '', 0, [] or a blank record. */
  readonly blank: unknown;
}

type Node = unknown;

/** The named records and enums of a schema, so a reference by name can be followed. */
function namedTypes(node: Node, into = new Map<string, Node>()): Map<string, Node> {
  if (Array.isArray(node)) for (const item of node) namedTypes(item, into);
  else if (node && typeof node === 'object') {
    const { type, name } = node as { type?: unknown; name?: unknown };
    if ((type === 'record' || type === 'enum') && typeof name === 'string') {
      into.set(name.includes('.') ? name : `${NAMESPACE}.${name}`, node);
    }
    for (const value of Object.values(node)) namedTypes(value, into);
  }
  return into;
}

function resolve(node: Node, named: Map<string, Node>): Node {
  if (typeof node !== 'string') return node;
  return named.get(node.includes('.') ? node : `${NAMESPACE}.${node}`) ?? node;
}

/** The blank value of an Avro type: null when it may be null, else the type's emptiest value. */
export function blankOf(node: Node, named: Map<string, Node>): unknown {
  const type = resolve(node, named);
  if (Array.isArray(type)) return type.includes('null') ? null : blankOf(type[0], named);
  if (typeof type === 'string') {
    if (type === 'string') return '';
    if (type === 'boolean') return false;
    if (type === 'bytes') return Buffer.alloc(0);
    if (['int', 'long', 'float', 'double'].includes(type)) return 0;
    throw new Error(`no blank for the Avro type ${type}`);
  }
  const t = type as { type: Node; fields?: AvroField[]; symbols?: string[] };
  if (t.type === 'record') {
    return Object.fromEntries((t.fields ?? []).map((f) => [f.name, blankOf(f.type, named)]));
  }
  if (t.type === 'array') return [];
  if (t.type === 'map') return {};
  if (t.type === 'enum') return t.symbols?.[0];
  return blankOf(t.type, named);
}

/** The records a field's values are, when it holds records (directly, nullable or in arrays). */
function innerRecord(
  node: Node,
  named: Map<string, Node>,
): { record: AvroRecordSchema; many: boolean } | null {
  const type = resolve(node, named);
  if (Array.isArray(type)) {
    const branches = type.filter((b) => b !== 'null');
    return branches.length === 1 ? innerRecord(branches[0], named) : null;
  }
  if (type && typeof type === 'object') {
    const t = type as { type: Node; items?: Node };
    if (t.type === 'record') return { record: type as AvroRecordSchema, many: false };
    if (t.type === 'array') {
      const items = innerRecord(t.items, named);
      return items && !items.many ? { record: items.record, many: true } : null;
    }
  }
  return null;
}

function collect(
  record: AvroRecordSchema,
  prefix: SealedPath,
  named: Map<string, Node>,
  into: SealedField[],
) {
  for (const field of record.fields) {
    const path = [...prefix, field.name];
    if (field.sealed) {
      into.push({ path, blank: blankOf(field.type, named) });
      continue;
    }
    const inner = innerRecord(field.type, named);
    if (inner) collect(inner.record, inner.many ? [...path, '*'] : path, named, into);
  }
}

const cache = new Map<EventType, readonly SealedField[]>();

/** The sealed fields of an event type's data, in schema order; none for most types. */
export function sealedFields(type: EventType): readonly SealedField[] {
  const hit = cache.get(type);
  if (hit) return hit;
  const schema = eventSchema(type);
  const named = namedTypes(schema);
  const data = schema.fields.find((f) => f.name === 'data');
  const fields: SealedField[] = [];
  const inner = data && innerRecord(data.type, named);
  if (inner) collect(inner.record, [], named, fields);
  cache.set(type, fields);
  return fields;
}

/** Whether the event type's schema carries sealed parts at all. */
export const carriesSealedParts = (type: EventType): boolean =>
  eventSchema(type).fields.some((f) => f.name === 'sealed');

/** Every event type with sealed fields, for documentation and tests. */
export const SEALED_EVENT_TYPES = (): EventType[] =>
  EVENT_TYPES.filter((type) => sealedFields(type).length > 0);
