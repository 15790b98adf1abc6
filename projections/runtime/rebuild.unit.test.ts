import { describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../catalog.ts';
import { checksumOf } from './compare.ts';
import { behind, differing, eventsBetween, formatPositions, type Positions } from './positions.ts';
import { catchUp, selectReadModels } from './rebuild-and-swap.ts';
import { formatReadRate, formatRebuild } from './rebuild-report.ts';
import { identifier, retarget } from './shadow.ts';

const at = (entries: Record<string, bigint>) => new Map(Object.entries(entries));

describe('the checksum of a table', () => {
  it('is each sum modulo 2^64, as 16 hex digits each', () => {
    expect(checksumOf('0', '0')).toBe('0'.repeat(32));
    expect(checksumOf('255', '1')).toBe(`${'0'.repeat(14)}ff${'0'.repeat(15)}1`);
  });

  it('wraps sums past 64 bits and reads negative ones as their two’s complement', () => {
    expect(checksumOf((2n ** 64n + 5n).toString(), '-1')).toBe(
      `${'0'.repeat(15)}5${'f'.repeat(16)}`,
    );
  });
});

describe('positions of a rebuild against the live projection', () => {
  const live = at({ 'docs:0': 12n, 'docs:1': 4n, 'docs:2': 0n });

  it('is behind where it has not reached the live offset; a partition not recorded is at 0', () => {
    expect(behind(at({ 'docs:0': 12n }), live)).toEqual(['docs:1']);
    expect(behind(at({ 'docs:0': 12n, 'docs:1': 5n }), live)).toEqual([]);
  });

  it('differs wherever the offsets are not the same, either way', () => {
    expect(differing(at({ 'docs:0': 12n, 'docs:1': 4n }), live)).toEqual([]);
    expect(differing(at({ 'docs:0': 13n, 'docs:1': 4n, 'docs:3': 1n }), live)).toEqual([
      'docs:0',
      'docs:3',
    ]);
  });

  it('counts the events from one position to a later one', () => {
    expect(eventsBetween(at({ 'docs:0': 10n }), live)).toBe(6n);
    expect(eventsBetween(live, at({ 'docs:0': 10n }))).toBe(0n);
  });

  it('prints them sorted by partition', () => {
    expect(formatPositions(at({ 'docs:1': 4n, 'docs:0': 12n }))).toBe('docs:0=12 docs:1=4');
  });
});

describe('catching up with a live read model that keeps moving', () => {
  it('stops once the shadow reaches a position the live model held, not the one it holds now', async () => {
    // Every read of the live position finds one more event; the fold reaches a cap one poll later.
    let written = 0n;
    const caps: Positions[] = [];
    const live = async () => at({ 'docs:0': ++written });
    const shadow = async () => caps.at(-2) ?? at({});
    const fold = { cap: (target: Positions) => void caps.push(target) };

    await catchUp(fold, live, shadow, Date.now() + 2000, 1);

    expect(caps.length).toBe(2);
    expect(behind(await shadow(), caps[0] as Positions)).toEqual([]);
    expect(behind(await shadow(), caps[1] as Positions)).toEqual(['docs:0']);
  });

  it('gives up at its deadline when the shadow gets nowhere', async () => {
    const fold = { cap: () => {} };
    await expect(
      catchUp(
        fold,
        async () => at({ 'docs:0': 5n }),
        async () => at({}),
        Date.now() + 20,
        1,
      ),
    ).rejects.toThrow('the rebuild did not catch up in time');
  });
});

describe('choosing what to rebuild', () => {
  it('takes one read model by name, or all of them', () => {
    expect(selectReadModels('timeline').map((p) => p.name)).toEqual(['timeline']);
    expect(selectReadModels('all').map((p) => p.name)).toEqual(PROJECTIONS.map((p) => p.name));
  });

  it('refuses a name no read model has, with a stable code and the names it knows', () => {
    expect(() => selectReadModels('documentz')).toThrow(
      expect.objectContaining({ code: 'READ_MODEL_UNKNOWN' }),
    );
    expect(() => selectReadModels('documentz')).toThrow(/documents, timeline, .*, or all/);
  });
});

describe('a shadow table', () => {
  it('builds each index of the live table, under its name, on the shadow table', () => {
    expect(
      retarget(
        'CREATE INDEX documents_by_upload ON public.documents USING btree (tenant_id, uploaded_at DESC)',
        'rebuild_documents.documents',
      ),
    ).toBe(
      'CREATE INDEX documents_by_upload ON rebuild_documents.documents USING btree (tenant_id, uploaded_at DESC)',
    );
  });

  it('takes only plain identifiers into its SQL', () => {
    expect(identifier('document_pages')).toBe('document_pages');
    expect(() => identifier('documents; DROP TABLE x')).toThrow('not a plain identifier');
  });
});

describe('the report', () => {
  const digest = (rows: number, checksum: string) => ({ rows, checksum });

  it('prints the rate, the position and, per table, both counts and checksums', () => {
    const lines = formatRebuild({
      model: 'documents',
      topics: ['docstream.document.events'],
      events: 1200,
      seconds: 2.5,
      eventsPerSecond: 480,
      skipped: 0,
      position: at({ 'docstream.document.events:0': 600n }),
      tables: [
        {
          table: 'documents',
          live: digest(3, 'a'.repeat(32)),
          shadow: digest(3, 'b'.repeat(32)),
          equal: false,
        },
      ],
      swapped: true,
    });
    expect(lines[0]).toBe(
      'documents: folded 1200 events in 2.50 s: 480 events/s from docstream.document.events',
    );
    expect(lines[1]).toBe('  compared and swapped at docstream.document.events:0=600');
    expect(lines[3]?.split(/\s+/).filter(Boolean)).toEqual([
      'documents',
      '3',
      'a'.repeat(32),
      '3',
      'b'.repeat(32),
      'differs',
    ]);
    expect(lines.at(-1)).toBe('  swapped: shadow differs from live');
  });

  it('prints the raw read of the same topics beside it', () => {
    expect(
      formatReadRate({ topics: ['a', 'b'], messages: 900, seconds: 0.3, messagesPerSecond: 3000 }),
    ).toBe('raw kafkajs consume of a, b: 900 events in 0.30 s: 3000 events/s');
  });
});
