import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '@libs/config';
import type { StoredEnvelope } from '@libs/domain';
import { deriveKey } from '@libs/security';

/** JSON with object keys sorted at every depth: the same value always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The bytes an event's hash covers: every envelope field but `hash` itself, canonically. */
function coveredBytes(envelope: Omit<StoredEnvelope, 'hash'>): string {
  const { event_id, type, schema_version, stream_id, stream_version, occurred_at } = envelope;
  const { correlation_id, causation_id, previous_hash, data } = envelope;
  return canonicalJson({
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
  });
}

/**
 * The unkeyed tamper-evidence hash written by release 0.1.0 up to the keyed chain: SHA-256, hex, over
 * the canonical JSON of every envelope field but `hash`. Still how those events verify; anyone can
 * compute it, so it proves order and integrity only against a copy nobody could rewrite as a whole.
 */
export function eventHash(envelope: Omit<StoredEnvelope, 'hash'>): string {
  return createHash('sha256').update(coveredBytes(envelope)).digest('hex');
}

/** How a `hash` was made; the marker is the hash's own prefix (none: the unkeyed SHA-256 of 0.1.0). */
export type HashAlgorithm = 'sha256' | 'hmac-sha256';

/** The prefix that marks a keyed hash: `hmac-sha256:` + 64 hex digits. */
export const KEYED_HASH_PREFIX = 'hmac-sha256:';
const UNKEYED = /^[0-9a-f]{64}$/;
const KEYED = /^hmac-sha256:[0-9a-f]{64}$/;

/** The algorithm `hash` names, or null for anything that is neither form. */
export function hashAlgorithm(hash: string): HashAlgorithm | null {
  if (KEYED.test(hash)) return 'hmac-sha256';
  if (UNKEYED.test(hash)) return 'sha256';
  return null;
}

/**
 * The keyed hash chain (DESIGN guarantee 6): each event's `hash` is HMAC-SHA-256 under the audit key
 * over the same canonical bytes as `eventHash`, written `hmac-sha256:<hex>`. Because it covers
 * `previous_hash`, altering, removing, reordering or injecting an event breaks its stream's chain; and
 * because the key is not in the database nor on the topic, whoever can write to either cannot forge a
 * link that recomputes. Always of the envelope as stored, whatever its schema version.
 *
 * @example
 * const hasher = EventHasher.fromConfig(config);
 * const envelope = { ...unsigned, hash: hasher.hash(unsigned) };
 * hasher.verify(envelope); // true
 */
export class EventHasher {
  /** `previousKeys`: keys events written earlier may be hashed under; they verify, never hash. */
  constructor(
    private readonly key: Buffer,
    private readonly previousKeys: readonly Buffer[] = [],
  ) {}

  /**
   * The key: HKDF (purpose `audit-chain`) of `AUDIT_KEY`, or of `SERVER_SECRET` when that is not set —
   * a key of its own, so that an auditor given `AUDIT_KEY` can verify without the server secret. Without
   * `AUDIT_KEY` the chain's key changes with `SERVER_SECRET`: the events hashed before a rotation verify
   * under the keys of `SERVER_SECRETS_PREVIOUS` (docs/operations.md, "Rotating SERVER_SECRET").
   */
  static fromConfig(config: AppConfig): EventHasher {
    if (config.auditSecret) return new EventHasher(deriveKey(config.auditSecret, 'audit-chain'));
    return new EventHasher(
      deriveKey(config.serverSecret, 'audit-chain'),
      config.previousServerSecrets.map((secret) => deriveKey(secret, 'audit-chain')),
    );
  }

  /** The keyed hash of an envelope (every field but `hash`). */
  hash(envelope: Omit<StoredEnvelope, 'hash'>): string {
    return KEYED_HASH_PREFIX + this.mac(envelope).toString('hex');
  }

  /**
   * Whether `envelope.hash` recomputes, by the algorithm its marker names: keyed under this key (or a
   * previous one), or unkeyed for an event written before the keyed chain. Which unkeyed events to
   * accept is the caller's rule (see `chainLink`).
   */
  verify(envelope: StoredEnvelope): boolean {
    const { hash, ...unsigned } = envelope;
    switch (hashAlgorithm(hash)) {
      case 'hmac-sha256': {
        const presented = Buffer.from(hash.slice(KEYED_HASH_PREFIX.length), 'hex');
        if (timingSafeEqual(presented, this.mac(unsigned))) return true;
        return this.previousKeys.some((key) => timingSafeEqual(presented, this.mac(unsigned, key)));
      }
      case 'sha256':
        return eventHash(unsigned) === hash;
      default:
        return false;
    }
  }

  private mac(envelope: Omit<StoredEnvelope, 'hash'>, key = this.key): Buffer {
    return createHmac('sha256', key).update(coveredBytes(envelope)).digest();
  }
}
