import type { SecretKeys } from '../secret-keys';
import { constantTimeEqual, keyedHash } from '../secrets';

/** How long one nonce is handed out; it is accepted in its window and the next (5 to 10 minutes). */
export const DPOP_NONCE_WINDOW_MS = 5 * 60_000;

export interface DpopNonceOptions {
  /** Keys of previous server secrets: their nonces are still accepted, never issued. */
  previousKeys?: readonly Buffer[];
  windowMs?: number;
  /** The clock, epoch milliseconds; tests pass a fixed one. */
  now?: () => number;
}

/**
 * Server-provided DPoP nonces (RFC 9449 §8): the HMAC of the current time window under the `dpop-nonce`
 * key. Stateless, so any replica accepts what another one issued, and every client of a window gets the
 * same nonce (the proofs' own `jti` keeps them single-use).
 *
 * @example
 * const nonces = DpopNonces.fromKeys(keys);
 * res.set('DPoP-Nonce', nonces.issue());
 * nonces.isValid(proofNonce); // false once two windows have passed
 */
export class DpopNonces {
  private readonly keys: readonly Buffer[];
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(key: Buffer, options: DpopNonceOptions = {}) {
    this.keys = [key, ...(options.previousKeys ?? [])];
    this.windowMs = options.windowMs ?? DPOP_NONCE_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  /** Issued under the current server secret's key; a previous secret's nonces still valid (a rotation). */
  static fromKeys(keys: SecretKeys): DpopNonces {
    const [current, ...previous] = keys.acceptedKeys('dpop-nonce');
    return new DpopNonces(current.key, { previousKeys: previous.map(({ key }) => key) });
  }

  /** The nonce of the current window. */
  issue(): string {
    return this.nonceOf(this.keys[0], this.window());
  }

  /**
   * Whether `nonce` is the current window's or the previous one's (a client may have just got it), under
   * the current key or a previous secret's (another replica may not have restarted yet).
   */
  isValid(nonce: string): boolean {
    const window = this.window();
    // Every one compared, so the time taken does not tell which window or key matched.
    let valid = false;
    for (const key of this.keys) {
      const current = constantTimeEqual(nonce, this.nonceOf(key, window));
      const previous = constantTimeEqual(nonce, this.nonceOf(key, window - 1));
      valid = valid || current || previous;
    }
    return valid;
  }

  private window(): number {
    return Math.floor(this.now() / this.windowMs);
  }

  private nonceOf(key: Buffer, window: number): string {
    return keyedHash(key, `dpop-nonce:${window}`);
  }
}
