import type { LogRecord } from './frame.ts';
import type { SignedDigest } from './verify.ts';

/** An exported copy of the log: what `npm run export-log` writes and `verify-log <dir>` reads. */
export const EXPORT_FORMAT = 'docstream-log-export/1';
export const MANIFEST_FILE = 'manifest.json';
export const DIGESTS_FILE = 'digests.jsonl';
export const PUBLIC_KEY_FILE = 'public-key.pem';
/** One JSON line per record, in offset order. */
export const recordsFile = (topic: string, partition: number) =>
  `records/${topic}/${partition}.jsonl`;

export interface Manifest {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  digestTopic: string;
  keyId: string;
  partitions: { topic: string; partition: number; records: number; file: string }[];
}

const b64 = (bytes: Buffer | null) => (bytes === null ? null : bytes.toString('base64'));
const bytes = (text: string | null) => (text === null ? null : Buffer.from(text, 'base64'));

/** Bytes as base64 (null stays null); headers as `[name, value]` pairs in log order. */
export function recordLine(record: LogRecord): string {
  return JSON.stringify({
    offset: record.offset,
    timestamp: record.timestamp,
    key: b64(record.key),
    value: b64(record.value),
    headers: record.headers.map(([name, value]) => [name, b64(value)]),
  });
}

export function parseRecordLine(line: string): LogRecord {
  const raw = JSON.parse(line) as {
    offset: string;
    timestamp: string;
    key: string | null;
    value: string | null;
    headers: [string, string | null][];
  };
  return {
    offset: raw.offset,
    timestamp: raw.timestamp,
    key: bytes(raw.key),
    value: bytes(raw.value),
    headers: raw.headers.map(([name, value]) => [name, bytes(value)] as const),
  };
}

const BYTE_FIELDS = ['previousDigest', 'digest', 'recordHashes', 'signature'] as const;

export function digestLine(digest: SignedDigest): string {
  const encoded: Record<string, unknown> = { ...digest };
  for (const field of BYTE_FIELDS) encoded[field] = digest[field].toString('base64');
  return JSON.stringify(encoded);
}

export function parseDigestLine(line: string): SignedDigest {
  const raw = JSON.parse(line) as Record<string, unknown>;
  for (const field of BYTE_FIELDS) raw[field] = Buffer.from(String(raw[field]), 'base64');
  return raw as unknown as SignedDigest;
}
