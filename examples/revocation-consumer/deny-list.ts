import type { TokenRevoked, TokenRevokedData } from './contract';

/** One revoked credential as the deny-list keeps it: the event's data plus the event id that revoked it. */
export type Revocation = TokenRevokedData & { event_id: string };

/** What applying a `TokenRevoked` did. */
export type ApplyResult =
  | { changed: true; revocation: Revocation }
  /**
   * `duplicate`: this very event was applied before (at-least-once delivery redelivers).
   * `already_revoked`: another event revoked the credential first; the service emits at most one per
   * credential, so this only happens if the topic was written to by something else.
   */
  | { changed: false; why: 'duplicate' | 'already_revoked'; revocation: Revocation };

// Pure and synchronous, so it is tested without Kafka. Revocation is terminal: the set only grows.

/** The consumer's read model: the revoked credential ids, each with the event that revoked it. */
export class DenyList {
  private readonly revoked = new Map<string, Revocation>();

  /** Starts from saved entries (a deny-list file), or empty. */
  constructor(entries: Iterable<Revocation> = []) {
    for (const entry of entries) this.revoked.set(entry.credential_id, entry);
  }

  /** Adds the event's credential unless already there; says whether the deny-list changed. */
  apply(event: TokenRevoked): ApplyResult {
    const known = this.revoked.get(event.data.credential_id);
    if (known) {
      // Remembering the revoking event id per credential is enough to dedupe by event_id: it is the
      // only event of the topic this model applies, and there is at most one per credential.
      return {
        changed: false,
        why: known.event_id === event.event_id ? 'duplicate' : 'already_revoked',
        revocation: known,
      };
    }
    const revocation: Revocation = { ...pickData(event.data), event_id: event.event_id };
    this.revoked.set(revocation.credential_id, revocation);
    return { changed: true, revocation };
  }

  /** Whether the credential must be refused. */
  isRevoked(credentialId: string): boolean {
    return this.revoked.has(credentialId);
  }

  /** The revocation of a credential, if it was revoked. */
  get(credentialId: string): Revocation | undefined {
    return this.revoked.get(credentialId);
  }

  /** How many credentials are revoked. */
  get size(): number {
    return this.revoked.size;
  }

  /** Every revocation, in the order applied (for saving and inspection). */
  entries(): Revocation[] {
    return [...this.revoked.values()];
  }
}

// Copies only the contract's fields, so whatever else a producer adds to `data` is not persisted.
function pickData(data: TokenRevokedData): TokenRevokedData {
  const { credential_id, user_id, client_id, device_name, reason, actor, revoked_at } = data;
  return { credential_id, user_id, client_id, device_name, reason, actor, revoked_at };
}
