import type { TableComparison } from './compare.ts';
import { formatPositions } from './positions.ts';
import type { RebuildResult } from './rebuild-and-swap.ts';

const rate = (count: number, seconds: number, perSecond: number) =>
  `${count} events in ${seconds.toFixed(2)} s: ${Math.round(perSecond)} events/s`;

const HEADINGS = ['table', 'live rows', 'live checksum', 'shadow rows', 'shadow checksum', ''];

/** Per table, the live and the shadow's row count and checksum, and whether they are equal. */
export function tableLines(tables: readonly TableComparison[]): string[] {
  const rows = [
    HEADINGS,
    ...tables.map((t) => [
      t.table,
      String(t.live.rows),
      t.live.checksum,
      String(t.shadow.rows),
      t.shadow.checksum,
      t.equal ? 'equal' : 'differs',
    ]),
  ];
  const widths = HEADINGS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) =>
    `  ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd(),
  );
}

/** What `npm run rebuild` prints for one read model. */
export function formatRebuild(result: RebuildResult): string[] {
  const equal = result.tables.every((t) => t.equal);
  return [
    `${result.model}: folded ${rate(result.events, result.seconds, result.eventsPerSecond)} from ${result.topics.join(', ')}` +
      (result.skipped > 0 ? ` (${result.skipped} undecodable, skipped)` : ''),
    `  compared and swapped at ${formatPositions(result.position) || 'the start of the log'}`,
    ...tableLines(result.tables),
    `  ${result.swapped ? 'swapped' : 'not swapped'}: ${equal ? 'shadow equals live' : 'shadow differs from live'}`,
  ];
}

/** The floor beside it: a bare kafkajs consumer reading the same topics. */
export const formatReadRate = (read: {
  topics: readonly string[];
  messages: number;
  seconds: number;
  messagesPerSecond: number;
}) =>
  `raw kafkajs consume of ${read.topics.join(', ')}: ${rate(read.messages, read.seconds, read.messagesPerSecond)}`;
