import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  DIGESTS_FILE,
  MANIFEST_FILE,
  type Manifest,
  parseDigestLine,
  parseRecordLine,
} from '../../infra/log-digest/export-format.ts';
import { checkLog } from '../../infra/log-digest/log-check.ts';
import { readLog } from '../../infra/log-digest/read-log.ts';
import type { PartitionReport } from '../../infra/log-digest/verify.ts';
import { readDigests } from '../../producers/log-digest/digest-log.ts';
import { digestedTopics, type LogConnection } from './connect.ts';

async function* lines(file: string) {
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (line.trim() !== '') yield line;
  }
}

/** Checks an exported copy: its digests against `key`, its records against its digests. */
export async function verifyExport(dir: string, key: KeyObject): Promise<PartitionReport[]> {
  const digests = [];
  for await (const line of lines(path.join(dir, DIGESTS_FILE))) digests.push(parseDigestLine(line));
  const check = checkLog(digests, key);
  const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  for (const { topic, partition, file } of manifest.partitions) {
    for await (const line of lines(path.join(dir, file)))
      check.add(topic, partition, parseRecordLine(line));
  }
  return check.finish();
}

/** Checks the live log: digests read first, then every record up to where the log ended after. */
export async function verifyLive(
  log: LogConnection,
  prefix: string,
  key: KeyObject,
): Promise<PartitionReport[]> {
  const check = checkLog(await readDigests(log.kafka, log.admin, log.codec, log.digestTopic), key);
  const topics = await digestedTopics(log.admin, prefix, log.digestTopic);
  await readLog(log.kafka, log.admin, topics, (topic, partition, record) =>
    check.add(topic, partition, record),
  );
  return check.finish();
}

/** One line per partition; the failures last, each naming the record or digest at fault. */
export function describeReports(reports: readonly PartitionReport[]): {
  lines: string[];
  failed: boolean;
} {
  const out: string[] = [];
  for (const r of reports) {
    const where = `${r.topic} [${r.partition}]`;
    const verified = r.verified
      ? `offsets ${r.verified.firstOffset}-${r.verified.lastOffset} verified (${r.verified.records} records, ${r.verified.digests} digests)`
      : 'nothing verified';
    const uncovered = r.uncovered
      ? `; ${r.uncovered.records} records at offsets ${r.uncovered.firstOffset}-${r.uncovered.lastOffset} not yet covered`
      : '';
    out.push(`${r.failure ? 'FAIL' : 'ok  '} ${where}: ${verified}${uncovered}`);
  }
  const failures = reports.flatMap((r) => (r.failure ? [r.failure] : []));
  for (const f of failures) {
    const at =
      f.offset === null
        ? `digest of offsets ${f.range?.firstOffset}-${f.range?.lastOffset}`
        : `offset ${f.offset}`;
    out.push(`FAILED topic ${f.topic} partition ${f.partition} ${at}: ${f.reason}`);
  }
  return { lines: out, failed: failures.length > 0 };
}
