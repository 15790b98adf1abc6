/**
 * Writes schemas/generated/events.ts, the TypeScript shapes of the envelope, of the records
 * events share and of each event type's data, from the `.avsc` files: a field is added to its
 * schema and `npm run generate` carries it to the code. `--check` only compares, and fails when
 * the file is not what the schemas generate.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Context, convertType } from '@ovotech/avro-ts';
import { printNode } from '@ovotech/ts-compose';
import type { Schema } from 'avsc';
import {
  type AvroRecordSchema,
  EVENT_TYPES,
  NAMESPACE,
  readAvsc,
  SHARED_RECORDS,
} from './catalog.ts';
import type { EventType } from './events.ts';

export const GENERATED_FILE = fileURLToPath(new URL('./generated/events.ts', import.meta.url));

export const STALE_MESSAGE =
  'schemas/generated/events.ts is not what schemas/avro generates: run npm run generate';

const HEADER = `// Generated from schemas/avro/*.avsc by schemas/generate-types.ts. Do not edit:
// change the schema, then run \`npm run generate\`.
`;

type AvroNode = unknown;

const upperFirst = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** A name of the events' namespace, without it: every generated type lives in one module. */
function localName(name: string): string {
  if (name.startsWith(`${NAMESPACE}.`)) return name.slice(NAMESPACE.length + 1);
  if (name.includes('.')) throw new Error(`${name} is outside the ${NAMESPACE} namespace`);
  return name;
}

/**
 * The type of a field with `tsLiterals`: its string becomes an enum, for the generator only,
 * which avro-ts turns into a union of string literals named `<Record><Field>`.
 */
function narrowed(type: AvroNode, literals: string[] | undefined, record: string, field: string) {
  if (!literals) return type;
  const union = { type: 'enum', name: `${record}${upperFirst(field)}`, symbols: literals };
  if (type === 'string') return union;
  if (Array.isArray(type) && type.includes('string')) {
    return type.map((branch) => (branch === 'string' ? union : branch));
  }
  throw new Error(`${record}.${field}: tsLiterals needs a string field`);
}

/** The schema as the generator takes it: names local, `tsLiterals` strings narrowed. */
function forGenerator(node: AvroNode): AvroNode {
  if (typeof node === 'string') return localName(node);
  if (Array.isArray(node)) return node.map(forGenerator);
  if (!node || typeof node !== 'object') return node;
  const { namespace, ...rest } = node as Record<string, unknown>;
  if (namespace !== undefined && namespace !== NAMESPACE) {
    throw new Error(`namespace ${String(namespace)} is not ${NAMESPACE}`);
  }
  if (rest.type === 'record') {
    const record = rest as unknown as AvroRecordSchema;
    return {
      ...record,
      // `sealed` says how a field travels, not what it holds: the domain type is the same.
      fields: record.fields.map(({ tsLiterals, sealed: _sealed, ...field }) => ({
        ...field,
        type: narrowed(forGenerator(field.type), tsLiterals, record.name, field.name),
      })),
    };
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, forGenerator(value)]));
}

/** Every record or enum a schema defines, so two files cannot define one name two ways. */
function definedNames(node: AvroNode): string[] {
  if (Array.isArray(node)) return node.flatMap(definedNames);
  if (!node || typeof node !== 'object') return [];
  const { type, name } = node as { type?: unknown; name?: unknown };
  const own = (type === 'record' || type === 'enum') && typeof name === 'string' ? [name] : [];
  return [...own, ...Object.values(node).flatMap(definedNames)];
}

/** An event type's data record, described by its event's doc when it has none of its own. */
function eventData(type: EventType): AvroRecordSchema {
  const event = readAvsc(type);
  const data = event.fields.find((field) => field.name === 'data')?.type as AvroRecordSchema;
  if (data?.type !== 'record') throw new Error(`${type}.avsc has no data record`);
  return { ...data, doc: data.doc ?? event.doc };
}

/** The text of schemas/generated/events.ts. */
export function generateEventTypes(): string {
  const schemas = [...SHARED_RECORDS.map(readAvsc), ...EVENT_TYPES.map(eventData)].map(
    forGenerator,
  );
  const names = schemas.flatMap(definedNames);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`defined in more than one place: ${twice.join(', ')}`);

  let context: Context = {};
  for (const schema of schemas) context = convertType(context, schema as Schema).context;
  const declarations = Object.values(context.identifiers ?? {}).map(printNode);
  return `${HEADER}\n${declarations.join('\n\n')}\n`;
}

/** The committed schemas/generated/events.ts, or null when there is none. */
export function readGenerated(): string | null {
  try {
    return readFileSync(GENERATED_FILE, 'utf8');
  } catch {
    return null;
  }
}

function main(args: string[]) {
  const generated = generateEventTypes();
  if (!args.includes('--check')) {
    writeFileSync(GENERATED_FILE, generated);
  } else if (readGenerated() !== generated) {
    console.error(STALE_MESSAGE);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
