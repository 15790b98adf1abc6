import type { IHeaders, RecordMetadata, Sender } from 'kafkajs';
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

/**
 * Sends letters (through a producer or inside a transaction), one per call so that each call has
 * one partition (see send-by-partition.ts); returns where they landed.
 */
export async function sendToDeadLetter(
  producer: Pick<Sender, 'send'>,
  topics: TopicNames,
  letters: readonly DeadLetter[],
): Promise<RecordMetadata[]> {
  const landed: RecordMetadata[] = [];
  for (const l of letters) {
    const metadata = await producer.send({
      topic: topics.deadLetter(l.consumer),
      acks: -1,
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
    });
    landed.push(...metadata);
  }
  return landed;
}
