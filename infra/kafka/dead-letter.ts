import type { IHeaders, Producer, RecordMetadata } from 'kafkajs';
import type { TopicNames } from './topics.ts';

/** A message a consumer gave up on, with enough to find the original and redrive it. */
export interface DeadLetter {
  readonly consumer: string;
  readonly reason: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export const DEAD_LETTER_HEADERS = {
  reason: 'dlq-reason',
  consumer: 'dlq-consumer',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
} as const;

/** Sends letters (through a producer or inside a transaction); returns where they landed. */
export async function sendToDeadLetter(
  producer: Pick<Producer, 'sendBatch'>,
  topics: TopicNames,
  letters: readonly DeadLetter[],
): Promise<RecordMetadata[]> {
  if (letters.length === 0) return [];
  return producer.sendBatch({
    acks: -1,
    topicMessages: letters.map((l) => ({
      topic: topics.deadLetter(l.consumer),
      messages: [
        {
          key: l.key,
          value: l.value,
          headers: {
            ...l.headers,
            [DEAD_LETTER_HEADERS.reason]: l.reason,
            [DEAD_LETTER_HEADERS.consumer]: l.consumer,
            [DEAD_LETTER_HEADERS.topic]: l.topic,
            [DEAD_LETTER_HEADERS.partition]: String(l.partition),
            [DEAD_LETTER_HEADERS.offset]: l.offset,
          },
        },
      ],
    })),
  });
}
