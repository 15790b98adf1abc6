/**
 * The canonical framing of one committed Kafka record: the bytes the digest chain hashes. Every
 * field has a fixed width or a length before it, so no two different records frame alike.
 *
 *   offset     u64 big-endian
 *   timestamp  i64 big-endian (milliseconds, as the broker stores it)
 *   key        i32 length (-1: null), then the bytes
 *   value      i32 length (-1: null), then the bytes
 *   headers    u32 count, then per header, in log order:
 *                u32 name length, the name in UTF-8, i32 value length (-1: null), the bytes
 */
export const FRAMING = 'docstream-log-frame/1';

/** A record as it sits in the log: exact bytes, with its coordinates in its partition. */
export interface LogRecord {
  /** Decimal, as Kafka clients give it. */
  readonly offset: string;
  /** Milliseconds since the epoch, decimal. */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** In the order the log holds them; a name may repeat. */
  readonly headers: readonly (readonly [string, Buffer | null])[];
}

const NULL_LENGTH = -1;

/** Bytes of the frame of `record`, to size its buffer once. */
function frameSize(record: LogRecord, names: readonly Buffer[]): number {
  let size = 8 + 8 + 4 + (record.key?.length ?? 0) + 4 + (record.value?.length ?? 0) + 4;
  record.headers.forEach(([, value], i) => {
    size += 4 + (names[i] as Buffer).length + 4 + (value?.length ?? 0);
  });
  return size;
}

export function frameRecord(record: LogRecord): Buffer {
  const offset = BigInt(record.offset);
  if (offset < 0n) throw new RangeError(`negative offset ${record.offset}`);
  const names = record.headers.map(([name]) => Buffer.from(name, 'utf8'));
  const frame = Buffer.allocUnsafe(frameSize(record, names));
  let at = frame.writeBigInt64BE(offset, 0);
  at = frame.writeBigInt64BE(BigInt(record.timestamp), at);
  const sized = (bytes: Buffer | null) => {
    if (bytes === null) return frame.writeInt32BE(NULL_LENGTH, at);
    const next = frame.writeUInt32BE(bytes.length, at);
    return next + bytes.copy(frame, next);
  };
  at = sized(record.key);
  at = sized(record.value);
  at = frame.writeUInt32BE(record.headers.length, at);
  record.headers.forEach(([, value], i) => {
    at = sized(names[i] as Buffer);
    at = sized(value);
  });
  return frame;
}

type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/**
 * A record as kafkajs hands it over. kafkajs gathers a repeated header name into an array, in
 * log order; each occurrence becomes one header here, in that order.
 */
export function fromKafkaMessage(message: {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, KafkaHeaderValue>;
}): LogRecord {
  const headers: [string, Buffer | null][] = [];
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      headers.push([name, value === undefined ? null : Buffer.from(value)]);
    }
  }
  return {
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key,
    value: message.value,
    headers,
  };
}
