import { type Admin, type Message, Partitioners, type Sender, type TopicMessages } from 'kafkajs';

/** How many partitions a topic has: read once per topic, since docstream never changes it. */
export type PartitionCounts = (topic: string) => Promise<number>;

export function partitionCounts(admin: Pick<Admin, 'fetchTopicMetadata'>): PartitionCounts {
  const known = new Map<string, Promise<number>>();
  return (topic) => {
    let count = known.get(topic);
    if (!count) {
      count = admin.fetchTopicMetadata({ topics: [topic] }).then(({ topics }) => {
        const partitions = topics[0]?.partitions.length ?? 0;
        if (partitions === 0) throw new Error(`topic ${topic} has no partitions`);
        return partitions;
      });
      count.catch(() => known.delete(topic));
      known.set(topic, count);
    }
    return count;
  };
}

const partitioner = Partitioners.DefaultPartitioner();

/**
 * Sends the messages one partition at a time, each where kafkajs' own partitioner would put it.
 * kafkajs sends a call's messages as one request per leader broker and, when one of those fails,
 * retries the call; a broker whose connection it replaced meanwhile gets its messages again with
 * new sequence numbers, so a request that had succeeded is written twice, even in a transaction.
 * A call for one partition has one broker: its retry resends the same sequence, which the broker
 * recognises.
 */
export async function sendByPartition(
  sender: Pick<Sender, 'send'>,
  topicMessages: readonly TopicMessages[],
  counts: PartitionCounts,
): Promise<void> {
  for (const { topic, messages } of topicMessages) {
    const byPartition = new Map<number, Message[]>();
    const explicit = messages.every((m) => m.partition !== undefined && m.partition !== null);
    const partitionMetadata = explicit
      ? []
      : Array.from({ length: await counts(topic) }, (_, partitionId) => ({
          partitionId,
          leader: 0,
          replicas: [],
          isr: [],
          partitionErrorCode: 0,
        }));
    for (const message of messages) {
      const partition = partitioner({ topic, partitionMetadata, message });
      const batch = byPartition.get(partition);
      if (batch) batch.push({ ...message, partition });
      else byPartition.set(partition, [{ ...message, partition }]);
    }
    for (const batch of byPartition.values()) {
      await sender.send({ topic, acks: -1, messages: batch });
    }
  }
}
