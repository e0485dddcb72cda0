import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { assertReadable, type EventEnvelope } from '@libs/domain';

/**
 * The Kafka form of an event: key = stream id (the credential id), so one credential's events share a
 * partition and keep their order; value = the JSON envelope; headers repeat what routers filter on,
 * plus the W3C `traceparent` of the publishing span when the event was traced.
 */
export function encodeEnvelope(envelope: EventEnvelope, traceparent?: string): Message {
  return {
    key: envelope.stream_id,
    value: JSON.stringify(envelope),
    headers: {
      event_id: envelope.event_id,
      event_type: envelope.type,
      schema_version: String(envelope.schema_version),
      correlation_id: envelope.correlation_id,
      ...(traceparent ? { traceparent } : {}),
    },
    timestamp: String(Date.parse(envelope.occurred_at)),
  };
}

/** Why a Kafka message could not be read as an event. */
export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

const header = (headers: IHeaders | undefined, name: string) => headers?.[name]?.toString();

/**
 * Parses a consumed message back into its envelope, as published (upcast it before folding); rejects
 * anything that is not one with `MalformedEventError`, and an event of a type or schema version this
 * release does not know with the domain's `UnsupportedEventError`: a consumer stops at what it cannot
 * read instead of misreading it.
 */
export function decodeEnvelope(message: Pick<KafkaMessage, 'value' | 'headers'>): EventEnvelope {
  if (!message.value) throw new MalformedEventError('empty message');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch {
    throw new MalformedEventError('message value is not JSON');
  }
  const e = parsed as Partial<EventEnvelope>;
  const valid =
    typeof e === 'object' &&
    e !== null &&
    typeof e.event_id === 'string' &&
    typeof e.type === 'string' &&
    typeof e.stream_id === 'string' &&
    Number.isInteger(e.stream_version) &&
    Number.isInteger(e.schema_version) &&
    typeof e.hash === 'string' &&
    typeof e.data === 'object' &&
    e.data !== null;
  if (!valid) throw new MalformedEventError('message is not an event envelope');
  const typeHeader = header(message.headers, 'event_type');
  if (typeHeader !== undefined && typeHeader !== e.type)
    throw new MalformedEventError('event_type header mismatch');
  const versionHeader = header(message.headers, 'schema_version');
  if (versionHeader !== undefined && versionHeader !== String(e.schema_version))
    throw new MalformedEventError('schema_version header mismatch');
  assertReadable(e.type as string, e.schema_version);
  return e as EventEnvelope;
}
