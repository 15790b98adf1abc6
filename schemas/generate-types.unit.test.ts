import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readAvsc } from './catalog.ts';
import { generateEventTypes, readGenerated, STALE_MESSAGE } from './generate-types.ts';

/** Every `doc` string in a schema, nested records' and fields' included. */
function docsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(docsOf);
  if (!node || typeof node !== 'object') return [];
  const own = 'doc' in node && typeof node.doc === 'string' ? [node.doc] : [];
  return [...own, ...Object.values(node).flatMap(docsOf)];
}

describe('types generated from the .avsc files', () => {
  const generated = generateEventTypes();

  it('are the committed schemas/generated/events.ts', () => {
    expect(readGenerated(), STALE_MESSAGE).toBe(generated);
  });

  it('carry every doc of every schema as JSDoc', () => {
    const files = readdirSync(new URL('./avro/', import.meta.url)).filter((f) =>
      f.endsWith('.avsc'),
    );
    const docs = files.flatMap((file) => docsOf(readAvsc(file.replace(/\.avsc$/, ''))));
    expect(docs.length).toBeGreaterThan(files.length);
    for (const doc of docs) expect(generated).toContain(`* ${doc}`);
  });

  it('narrow a string field to its tsLiterals, keeping its null', () => {
    expect(generated).toContain('export type LabEntityFlag = "H" | "L";');
    expect(generated).toMatch(/flag: null \| LabEntityFlag;/);
  });
});
