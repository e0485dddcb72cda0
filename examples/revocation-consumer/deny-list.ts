import type { TokenExpired, TokenExpiredData, TokenRevoked, TokenRevokedData } from './contract';

/** One revoked credential as the deny-list keeps it: the event's data plus the event id that revoked it. */
export type Revocation = TokenRevokedData & { event_id: string };

/** One expired credential as the deny-list keeps it: the event's data plus the event id that ended it. */
export type Expiry = TokenExpiredData & { event_id: string };

/** A credential that has ended, revoked or expired: either way it must be refused from now on. */
export type Ending = Revocation | Expiry;

/** Whether an entry is an expiry (`TokenExpired`) rather than a revocation (`TokenRevoked`). */
export const isExpiry = (entry: Ending): entry is Expiry => 'expired_at' in entry;

/** What applying a `TokenRevoked` or a `TokenExpired` did. */
export type ApplyResult =
  | { changed: true; entry: Ending }
  /**
   * `duplicate`: this very event was applied before (at-least-once delivery redelivers).
   * `already_ended`: another event ended the credential first; the service ends a credential at most
   * once (revoked or expired, never both), so this only happens if the topic was written to by
   * something else.
   */
  | { changed: false; why: 'duplicate' | 'already_ended'; entry: Ending };

// Pure and synchronous, so it is tested without Kafka. An ending is terminal: the set only grows.

/**
 * The consumer's read model: the ended credential ids — revoked (`TokenRevoked`, whatever the reason)
 * or expired (`TokenExpired`) — each with the event that ended it.
 */
export class DenyList {
  private readonly ended = new Map<string, Ending>();

  /** Starts from saved entries (a deny-list file), or empty. */
  constructor(entries: Iterable<Ending> = []) {
    for (const entry of entries) this.ended.set(entry.credential_id, entry);
  }

  /** Adds the event's credential unless already there; says whether the deny-list changed. */
  apply(event: TokenRevoked | TokenExpired): ApplyResult {
    const known = this.ended.get(event.data.credential_id);
    if (known) {
      // Remembering the ending event id per credential is enough to dedupe by event_id: these are the
      // only events of the topic this model applies, and there is at most one per credential.
      return {
        changed: false,
        why: known.event_id === event.event_id ? 'duplicate' : 'already_ended',
        entry: known,
      };
    }
    const entry: Ending = { ...pickData(event), event_id: event.event_id };
    this.ended.set(entry.credential_id, entry);
    return { changed: true, entry };
  }

  /** Whether the credential must be refused: it was revoked, or it expired. */
  isRevoked(credentialId: string): boolean {
    return this.ended.has(credentialId);
  }

  /** How the credential ended, if it did. */
  get(credentialId: string): Ending | undefined {
    return this.ended.get(credentialId);
  }

  /** How many credentials have ended. */
  get size(): number {
    return this.ended.size;
  }

  /** Every entry, in the order applied (for saving and inspection). */
  entries(): Ending[] {
    return [...this.ended.values()];
  }
}

// Copies only the contract's fields, so whatever else a producer adds to `data` is not persisted.
function pickData(event: TokenRevoked | TokenExpired): TokenRevokedData | TokenExpiredData {
  if (event.type === 'TokenExpired') {
    const { credential_id, user_id, client_id, device_name, lifetime, expired_at, observed_at } = event.data;
    return { credential_id, user_id, client_id, device_name, lifetime, expired_at, observed_at };
  }
  const { credential_id, user_id, client_id, device_name, reason, actor, revoked_at } = event.data;
  return { credential_id, user_id, client_id, device_name, reason, actor, revoked_at };
}
