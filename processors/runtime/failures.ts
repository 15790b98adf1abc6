import type { KafkaMessage, Transaction } from 'kafkajs';
import { sendToDeadLetter } from '../../infra/kafka/dead-letter.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import { type DocumentProcessingFailed, type DomainEvent, roundOf } from '../../schemas/events.ts';
import type { Clock } from './envelope.ts';
import { headerValue } from './handle-message.ts';
import { actorOf, type Processor } from './processor.ts';

export interface FailedMessage {
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;
  reason: string;
  event: DomainEvent | null;
}

/**
 * Puts a poison message in the processor's dead-letter topic, inside the transaction, and returns
 * the `DocumentProcessingFailed` that keeps its document's state honest: from the decoded event,
 * or from the headers and key when the body could not be decoded (nothing when neither says
 * which document it was).
 */
export async function deadLetter(
  transaction: Pick<Transaction, 'send'>,
  topics: TopicNames,
  processor: Pick<Processor, 'name' | 'version'>,
  failed: FailedMessage,
  clock: Clock,
): Promise<DocumentProcessingFailed | null> {
  const { message, event } = failed;
  const [landed] = await sendToDeadLetter(transaction, topics, [
    {
      consumer: processor.name,
      reason: failed.reason,
      topic: failed.topic,
      partition: failed.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: message.headers ?? {},
    },
  ]);
  const tenantId = event?.metadata.tenantId ?? headerValue(message, HEADERS.tenantId);
  const documentId = event?.metadata.aggregateId ?? message.key?.toString();
  if (!tenantId || !documentId || !landed?.baseOffset) return null;
  const eventId = event?.metadata.eventId ?? headerValue(message, HEADERS.eventId) ?? null;
  return {
    type: 'DocumentProcessingFailed',
    metadata: {
      eventId: clock.newId(),
      occurredAt: clock.now(),
      tenantId,
      aggregateId: documentId,
      correlationId:
        event?.metadata.correlationId ?? headerValue(message, HEADERS.correlationId) ?? documentId,
      causationId: eventId,
      actor: actorOf(processor),
    },
    data: {
      round: event ? roundOf(event) : null,
      processor: processor.name,
      reason: failed.reason,
      failedEventType: event?.type ?? headerValue(message, HEADERS.eventType) ?? null,
      failedEventId: eventId,
      deadLetter: {
        topic: landed.topicName,
        partition: landed.partition,
        offset: landed.baseOffset,
      },
    },
  };
}
