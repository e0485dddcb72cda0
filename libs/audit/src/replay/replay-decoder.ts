import type { KafkaMessage } from 'kafkajs';
import { upcast, type EventEnvelope } from '@libs/domain';
import { decodeEnvelope } from '@libs/event-store';

export type Decoded = { event: EventEnvelope } | { malformed: string };

// The data fields `evolveDeviceCredential` reads, per type: an event without them would write a
// half-empty row (or fail the batch on a NOT NULL column), so it is counted as malformed instead.
const FOLDED_FIELDS: Record<EventEnvelope['type'], string[]> = {
  TokenIssued: ['user_id', 'client_id', 'device_name', 'token_hash', 'scope', 'issued_at', 'grant'],
  TokenRevoked: ['revoked_at', 'reason'],
  IdTokenDelegated: ['delegated_at'],
  TokenRotated: ['token_hash', 'rotated_at'],
  RefreshTokenReused: [],
  TokenExpired: ['expired_at'],
};

/**
 * A consumed message as the fold needs it: parsed (JSON.parse, no schema library: this runs a million
 * times a replay), upcast to the current schema, and checked for the fields the fold reads. Never
 * throws: what cannot be folded comes back as `{ malformed: reason }`.
 */
export function decodeForReplay(message: Pick<KafkaMessage, 'value' | 'headers'>): Decoded {
  let event: EventEnvelope;
  try {
    event = upcast(decodeEnvelope(message));
  } catch (error) {
    return { malformed: error instanceof Error ? error.message : String(error) };
  }
  const fields = Object.hasOwn(FOLDED_FIELDS, event.type) ? FOLDED_FIELDS[event.type] : undefined;
  if (!fields) return { malformed: `unknown event type ${JSON.stringify(event.type)}` };
  if (event.stream_version < 1) return { malformed: 'stream_version below 1' };
  const data = event.data as Record<string, unknown>;
  const missing = fields.filter((f) => typeof data[f] !== 'string');
  if (missing.length > 0) return { malformed: `${event.type} without ${missing.join(', ')}` };
  return { event };
}
