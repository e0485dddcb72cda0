import { hashAlgorithm } from '@libs/event-store';
import type { StoredEnvelope } from '@libs/domain';

/** What the projector keeps per stream (`projection_streams`): the last event it applied, and whether the stream stopped. */
export interface StreamHead {
  version: number;
  lastHash: string;
  broken: boolean;
}

/** Why an event's link did not verify. */
export type ChainBreak =
  | 'hash_mismatch'
  | 'previous_hash_mismatch'
  | 'version_gap'
  | 'conflicting_version'
  | 'unkeyed_after_keyed';

/** What the projector does with an event from the topic. */
export type LinkVerdict =
  | { action: 'apply' }
  /** At or below the stream's head, the same event: a redelivery, changes nothing. */
  | { action: 'duplicate' }
  /** The stream is broken: nothing more of it is applied until an operator rebuilds it. */
  | { action: 'stopped' }
  | { action: 'break'; reason: ChainBreak; detail: string };

/**
 * The projector does not trust the topic blindly (DESIGN guarantee 6): an event is applied only when it
 * extends the stream exactly where the view stands — the next version, `previous_hash` equal to the
 * hash of the last applied event, and its own hash recomputing (`hashVerified`: keyed under the audit
 * key, or, for an event of before the keyed chain, found as such in the store). A keyed stream never
 * goes back to unkeyed hashes. Pure: the projector loads the heads and acts on the verdict.
 */
export function checkLink(
  head: StreamHead | undefined,
  event: StoredEnvelope,
  hashVerified: boolean,
): LinkVerdict {
  if (head?.broken) return { action: 'stopped' };
  const version = event.stream_version;
  if (head && version <= head.version) {
    if (version === head.version && event.hash !== head.lastHash) {
      return {
        action: 'break',
        reason: 'conflicting_version',
        detail: `a second event for version ${version}, with another hash than the one applied`,
      };
    }
    return { action: 'duplicate' };
  }
  if (!hashVerified) {
    return {
      action: 'break',
      reason: 'hash_mismatch',
      detail: 'its hash does not recompute (keyed: not under the audit key; unkeyed: not the store’s event)',
    };
  }
  const expected = (head?.version ?? 0) + 1;
  if (version !== expected) {
    return {
      action: 'break',
      reason: 'version_gap',
      detail: `version ${version} where ${expected} was next`,
    };
  }
  const previous = head?.lastHash ?? null;
  if (event.previous_hash !== previous) {
    return {
      action: 'break',
      reason: 'previous_hash_mismatch',
      detail: `previous_hash ${event.previous_hash} does not link to the last applied hash ${previous}`,
    };
  }
  if (previous && hashAlgorithm(previous) === 'hmac-sha256' && hashAlgorithm(event.hash) !== 'hmac-sha256') {
    return {
      action: 'break',
      reason: 'unkeyed_after_keyed',
      detail: 'an unkeyed hash after a keyed one: no writer of this release makes one',
    };
  }
  return { action: 'apply' };
}
