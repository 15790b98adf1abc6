/** Metadata every event carries (the Avro Envelope, less `type`, which sits beside it). */
export interface EventMetadata {
  readonly eventId: string;
  readonly occurredAt: number;
  readonly tenantId: string;
  readonly aggregateId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: string;
}

export interface Event<Type extends string, Data> {
  readonly type: Type;
  readonly metadata: EventMetadata;
  readonly data: Readonly<Data>;
}

export type DocumentUploaded = Event<
  'DocumentUploaded',
  {
    fileName: string;
    mediaType: string;
    sizeBytes: number;
    sha256: string;
    blobRef: string;
    externalPatientId: string | null;
    documentTypeHint: string | null;
    duplicateOf: string | null;
  }
>;

export type DocumentEvent = DocumentUploaded;
export type DomainEvent = DocumentEvent;
export type EventType = DomainEvent['type'];

/** Where an event sits in the log. */
export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
