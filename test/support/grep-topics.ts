import type { Kafka } from 'kafkajs';
import { readTopic } from '../../infra/kafka/read-topic.ts';

/**
 * How often each needle occurs, case-insensitively, in the raw records of the topics (keys,
 * values and header values, as any Kafka client reads them, nothing decoded or decrypted), over
 * all of them together. Needles are matched in UTF-8.
 */
export async function grepTopics(
  kafka: Kafka,
  topics: readonly string[],
  needles: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map(needles.map((needle) => [needle, 0]));
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      for (const record of await readTopic(kafka, admin, topic)) {
        const haystacks = [record.key ?? '', ...Object.values(record.headers)];
        if (record.value) haystacks.push(record.value.toString('utf8'));
        for (const haystack of haystacks.map((h) => h.toLowerCase())) {
          for (const needle of needles) {
            const count = occurrences(haystack, needle.toLowerCase());
            if (count > 0) counts.set(needle, (counts.get(needle) ?? 0) + count);
          }
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  return counts;
}

/** Every topic of a test environment's prefix: its logs, dead letters and redrive topics. */
export async function topicsOfPrefix(kafka: Kafka, prefix: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`)).sort();
  } finally {
    await admin.disconnect();
  }
}

function occurrences(haystack: string, needle: string): number {
  if (needle.length === 0) return 0;
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}
