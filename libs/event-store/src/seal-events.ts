import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSIONS, type CredentialEvent, type EventEnvelope } from '@libs/domain';
import { eventHash } from './event-hash';
import type { StreamPosition, WriteContext } from './event-store.port';

/**
 * The envelopes `events` are stored in when appended after `expected`: the next stream versions, a new
 * id each, one occurrence time, and each hash chained to the previous event's (tamper evidence).
 */
export function sealEvents(
  streamId: string,
  expected: StreamPosition,
  events: readonly CredentialEvent[],
  context: WriteContext,
  hash: (unsigned: Omit<EventEnvelope, 'hash'>) => string = eventHash,
): EventEnvelope[] {
  const occurredAt = new Date().toISOString();
  let previous = expected.hash;
  return events.map((event, i) => {
    const unsigned = {
      event_id: randomUUID(),
      type: event.type,
      schema_version: SCHEMA_VERSIONS[event.type],
      stream_id: streamId,
      stream_version: expected.version + i + 1,
      occurred_at: occurredAt,
      correlation_id: context.correlationId,
      causation_id: context.causationId ?? null,
      previous_hash: previous,
      data: event.data,
    };
    const envelope = { ...unsigned, hash: hash(unsigned) } as EventEnvelope;
    previous = envelope.hash;
    return envelope;
  });
}
