import { createHash } from 'node:crypto';
import type { StoredEnvelope } from '@libs/domain';

/** JSON with object keys sorted at every depth: the same value always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The tamper-evidence hash of an event (DESIGN guarantee 6): SHA-256, hex, over the canonical JSON of
 * every envelope field but `hash` itself. Because it covers `previous_hash`, altering, removing,
 * reordering or injecting an event breaks the chain of its stream from that point on. Always of the
 * envelope as stored, whatever its schema version: an upcast envelope no longer hashes to its `hash`.
 */
export function eventHash(envelope: Omit<StoredEnvelope, 'hash'>): string {
  const { event_id, type, schema_version, stream_id, stream_version, occurred_at } = envelope;
  const { correlation_id, causation_id, previous_hash, data } = envelope;
  const covered = {
    event_id,
    type,
    schema_version,
    stream_id,
    stream_version,
    occurred_at,
    correlation_id,
    causation_id,
    previous_hash,
    data,
  };
  return createHash('sha256').update(canonicalJson(covered)).digest('hex');
}
