import type { KafkaMessage, Message, Producer, Transaction } from 'kafkajs';
import { toKafkaMessage, topicOf } from '../../infra/kafka/event-log.ts';
import { type PartitionCounts, sendByPartition } from '../../infra/kafka/send-by-partition.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import type { Clock } from './envelope.ts';
import { deadLetter } from './failures.ts';
import type { Outcome } from './handle-message.ts';
import type { Processor } from './processor.ts';

export interface CommitContext {
  processor: Pick<Processor, 'name' | 'version'>;
  groupId: string;
  topics: TopicNames;
  codec: EventCodec;
  clock: Clock;
  partitions: PartitionCounts;
}

/**
 * Writes what a chunk's messages came to (events, dead letters, failure facts) and the consumed
 * offset in one Kafka transaction: all of it becomes visible to read-committed consumers, or none.
 */
export async function commitOutcomes(
  producer: Producer,
  ctx: CommitContext,
  next: { topic: string; partition: number; offset: string },
  chunk: readonly KafkaMessage[],
  outcomes: readonly Outcome[],
): Promise<void> {
  const transaction = await producer.transaction();
  try {
    const outputs: DomainEvent[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.kind === 'emitted') outputs.push(...outcome.events);
      if (outcome.kind !== 'failed') continue;
      const failure = { ...next, message: chunk[i] as KafkaMessage, ...outcome };
      const failed = await deadLetter(transaction, ctx.topics, ctx.processor, failure, ctx.clock);
      if (failed) outputs.push(failed);
    }
    await sendEvents(transaction, ctx, outputs);
    await transaction.sendOffsets({
      consumerGroupId: ctx.groupId,
      topics: [
        { topic: next.topic, partitions: [{ partition: next.partition, offset: next.offset }] },
      ],
    });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => {});
    throw error;
  }
}

async function sendEvents(transaction: Transaction, ctx: CommitContext, events: DomainEvent[]) {
  if (events.length === 0) return;
  const byTopic = new Map<string, Message[]>();
  for (const event of events) {
    const topic = topicOf(event, ctx.topics);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), await toKafkaMessage(event, ctx.codec)]);
  }
  const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  await sendByPartition(transaction, topicMessages, ctx.partitions);
}
