import type { KafkaMessage } from 'kafkajs';
import type { Outcome } from './handle-message.ts';

/**
 * How much one Kafka transaction takes. Every transaction costs the same few round trips to the
 * broker whatever it carries, so a chunk grows while its messages are quick to decide (text-layer
 * documents, other processors' events skipped by header) and closes early when they are slow
 * (OCR), so a chunk of scans neither waits long to be committed nor outlasts its transaction.
 */
export interface ChunkLimits {
  /** Messages in one chunk at most. */
  maxMessages: number;
  /** A chunk takes no further message once deciding it has taken this long. */
  maxMs: number;
}

export interface Chunk {
  readonly messages: KafkaMessage[];
  readonly outcomes: Outcome[];
}

/**
 * Decides `messages` from `from` on, a window of `window` messages at a time, until the chunk is
 * full by count or by time or the messages run out. Windows are decided one after the other, so a
 * document's events are decided in log order across them as within one.
 */
export async function takeChunk(
  messages: readonly KafkaMessage[],
  from: number,
  limits: ChunkLimits & { window: number },
  decideWindow: (window: KafkaMessage[]) => Promise<Outcome[]>,
  now: () => number = () => performance.now(),
): Promise<Chunk> {
  const started = now();
  const taken: KafkaMessage[] = [];
  const outcomes: Outcome[] = [];
  while (from + taken.length < messages.length && taken.length < limits.maxMessages) {
    const start = from + taken.length;
    const size = Math.min(limits.window, limits.maxMessages - taken.length);
    const window = messages.slice(start, start + size);
    outcomes.push(...(await decideWindow(window)));
    taken.push(...window);
    if (now() - started >= limits.maxMs) break;
  }
  return { messages: taken, outcomes };
}
