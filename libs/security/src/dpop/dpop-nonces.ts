import type { SecretKeys } from '../secret-keys';
import { constantTimeEqual, keyedHash } from '../secrets';

/** How long one nonce is handed out; it is accepted in its window and the next (5 to 10 minutes). */
export const DPOP_NONCE_WINDOW_MS = 5 * 60_000;

export interface DpopNonceOptions {
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
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly key: Buffer,
    options: DpopNonceOptions = {},
  ) {
    this.windowMs = options.windowMs ?? DPOP_NONCE_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  static fromKeys(keys: SecretKeys): DpopNonces {
    return new DpopNonces(keys.key('dpop-nonce'));
  }

  /** The nonce of the current window. */
  issue(): string {
    return this.nonceOf(this.window());
  }

  /** Whether `nonce` is the current window's or the previous one's (a client may have just got it). */
  isValid(nonce: string): boolean {
    const window = this.window();
    // Both compared, so the time taken does not tell which window matched.
    const current = constantTimeEqual(nonce, this.nonceOf(window));
    const previous = constantTimeEqual(nonce, this.nonceOf(window - 1));
    return current || previous;
  }

  private window(): number {
    return Math.floor(this.now() / this.windowMs);
  }

  private nonceOf(window: number): string {
    return keyedHash(this.key, `dpop-nonce:${window}`);
  }
}
