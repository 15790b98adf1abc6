import type { Admin, Kafka, Producer } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '../../infra/kafka/dead-letter.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import { readTopic, type TopicMessage } from '../../infra/kafka/read-topic.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';

/** Header on a redriven message naming the dead letter (`partition:offset`) it came from. */
export const REDRIVE_OF_HEADER = 'dlq-redrive-of';

export interface DeadLetterEntry {
  /** `partition:offset` in the dead-letter topic: what `redrive` takes. */
  readonly id: string;
  readonly reason: string;
  readonly original: { topic: string; partition: number; offset: string };
  readonly documentId: string | null;
  readonly eventType: string | null;
  readonly eventId: string | null;
  readonly redriven: boolean;
}

export interface DeadLetterPorts {
  kafka: Kafka;
  admin: Admin;
  topics: TopicNames;
}

const idOf = (m: Pick<TopicMessage, 'partition' | 'offset'>) => `${m.partition}:${m.offset}`;

async function existing(ports: DeadLetterPorts, topic: string): Promise<TopicMessage[]> {
  const known = new Set(await ports.admin.listTopics());
  return known.has(topic) ? readTopic(ports.kafka, ports.admin, topic) : [];
}

/** A processor's dead letters, oldest first, each saying whether it was redriven already. */
export async function listDeadLetters(
  ports: DeadLetterPorts,
  processor: string,
): Promise<{ entries: DeadLetterEntry[]; messages: Map<string, TopicMessage> }> {
  const [letters, redriven] = await Promise.all([
    existing(ports, ports.topics.deadLetter(processor)),
    existing(ports, ports.topics.redrive(processor)),
  ]);
  const done = new Set(redriven.map((m) => m.headers[REDRIVE_OF_HEADER]));
  const messages = new Map(letters.map((m) => [idOf(m), m]));
  const entries = letters.map((m) => ({
    id: idOf(m),
    reason: m.headers[DEAD_LETTER_HEADERS.reason] ?? '',
    original: {
      topic: m.headers[DEAD_LETTER_HEADERS.topic] ?? '',
      partition: Number(m.headers[DEAD_LETTER_HEADERS.partition]),
      offset: m.headers[DEAD_LETTER_HEADERS.offset] ?? '',
    },
    documentId: m.key,
    eventType: m.headers[HEADERS.eventType] ?? null,
    eventId: m.headers[HEADERS.eventId] ?? null,
    redriven: done.has(idOf(m)),
  }));
  return { entries, messages };
}

/**
 * Sends dead letters back to the processor alone, through its redrive topic, with their
 * original key, body and headers: the other consumers of the log never see them twice.
 * Without ids, every letter not yet redriven goes.
 */
export async function redriveDeadLetters(
  ports: DeadLetterPorts & { producer: Producer },
  processor: string,
  ids?: readonly string[],
): Promise<DeadLetterEntry[]> {
  const { entries, messages } = await listDeadLetters(ports, processor);
  const unknown = ids?.filter((id) => !messages.has(id)) ?? [];
  if (unknown.length > 0) throw new Error(`no dead letter ${unknown.join(', ')} for ${processor}`);
  const chosen = entries.filter((e) => (ids ? ids.includes(e.id) : !e.redriven));
  if (chosen.length === 0) return [];
  await ports.producer.send({
    topic: ports.topics.redrive(processor),
    acks: -1,
    messages: chosen.map((entry) => {
      const letter = messages.get(entry.id) as TopicMessage;
      const headers = Object.fromEntries(
        Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq-')),
      );
      return {
        key: letter.key,
        value: letter.value,
        headers: { ...headers, [REDRIVE_OF_HEADER]: entry.id },
      };
    }),
  });
  return chosen;
}
