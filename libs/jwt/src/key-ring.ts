import type { SigningAlg } from './ports';
import type { SigningKey, VerificationKey } from './signing-key';

/**
 * The keys held in memory that the signer and verifier read on every call, without I/O.
 * Implemented by each key store; the signer and verifier depend on this, never on storage.
 */
export abstract class KeyRing {
  /** The current key for `alg`; throws when none is loaded (the store has not booted). */
  abstract signingKey(alg: SigningAlg): SigningKey;
  /** A key that still verifies (current, or previous before its `retireAfter`) by `kid`, else `undefined`. */
  abstract verificationKey(kid: string): VerificationKey | undefined;
  /** Reloads the keys from storage, so that a rotation made by another instance is seen. */
  abstract reload(): Promise<void>;
}

/** Whether a key still verifies at `now`: current keys always, previous keys until their `retireAfter`. */
export function stillVerifies(key: VerificationKey, now: number = Date.now()): boolean {
  return key.retireAfter === undefined || key.retireAfter.getTime() > now;
}
