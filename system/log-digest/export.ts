import type { KeyObject } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DIGESTS_FILE,
  digestLine,
  EXPORT_FORMAT,
  MANIFEST_FILE,
  type Manifest,
  PUBLIC_KEY_FILE,
  recordLine,
  recordsFile,
} from '../../infra/log-digest/export-format.ts';
import { readLog } from '../../infra/log-digest/read-log.ts';
import { keyIdOf } from '../../infra/log-digest/signing.ts';
import { publicKeyPem } from '../../infra/log-digest/signing-key.ts';
import { readDigests } from '../../producers/log-digest/digest-log.ts';
import { digestedTopics, type LogConnection } from './connect.ts';

/**
 * Writes a copy of the log to `dir`: the digests first, then every record up to where each
 * partition ended after them, so each digest covers records the copy holds.
 */
export async function exportLog(
  log: LogConnection,
  prefix: string,
  key: KeyObject,
  dir: string,
): Promise<Manifest> {
  const digests = await readDigests(log.kafka, log.admin, log.codec, log.digestTopic);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, DIGESTS_FILE), digests.map((d) => `${digestLine(d)}\n`).join(''));
  await writeFile(path.join(dir, PUBLIC_KEY_FILE), publicKeyPem(key));
  const files = new Map<
    string,
    { stream: WriteStream; topic: string; partition: number; records: number }
  >();
  const topics = await digestedTopics(log.admin, prefix, log.digestTopic);
  await readLog(log.kafka, log.admin, topics, async (topic, partition, record) => {
    const file = recordsFile(topic, partition);
    let entry = files.get(file);
    if (!entry) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      entry = { stream: createWriteStream(path.join(dir, file)), topic, partition, records: 0 };
      files.set(file, entry);
    }
    entry.records += 1;
    if (!entry.stream.write(`${recordLine(record)}\n`)) {
      await new Promise<void>((resolve) => entry.stream.once('drain', () => resolve()));
    }
  });
  await Promise.all(
    [...files.values()].map(
      ({ stream }) =>
        new Promise<void>((resolve, reject) =>
          stream.end((e?: Error) => (e ? reject(e) : resolve())),
        ),
    ),
  );
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    digestTopic: log.digestTopic,
    keyId: keyIdOf(key),
    partitions: [...files.entries()]
      .map(([file, { topic, partition, records }]) => ({ topic, partition, records, file }))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
  };
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
