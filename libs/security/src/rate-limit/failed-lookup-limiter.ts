import { addressKey } from './address-key';
import { RateLimiter, type RateLimitDecision } from './rate-limiter';

/**
 * Slows down guessing refresh tokens: counts failed look-ups (unknown, revoked or foreign tokens) per
 * address and per client in fixed one-minute windows, in this process's memory.
 *
 * - An address over the limit is refused outright, whatever client it names.
 * - A client over the limit (guesses spread over many addresses) refuses every address that has itself
 *   failed in the window: spreading a guessing run over addresses buys one guess per address and minute,
 *   while the client's users — whose addresses have not failed — keep exchanging their tokens. Refusing
 *   the whole client instead would let anyone who knows a (public) client_id lock all its users out.
 */
export class FailedLookupLimiter {
  private readonly perAddress: RateLimiter;
  private readonly perClient: RateLimiter;

  /** `limit` failed look-ups per minute, per address and per client; `now` returns epoch milliseconds. */
  constructor(limit: number, now: () => number = Date.now) {
    this.perAddress = new RateLimiter(limit, 60_000, now);
    this.perClient = new RateLimiter(limit, 60_000, now);
  }

  /** The decision to answer 429 with when this look-up must not happen, or `null` when it may. */
  refusal(ip: string, clientId: string): RateLimitDecision | null {
    const address = addressKey(ip);
    if (this.perAddress.exceeded(address)) return this.perAddress.peek(address);
    if (
      this.perClient.exceeded(clientId) &&
      this.perAddress.peek(address).remaining < this.perAddress.limit
    ) {
      return this.perClient.peek(clientId);
    }
    return null;
  }

  /** What is left of the address's budget, without counting a look-up. */
  addressBudget(ip: string): RateLimitDecision {
    return this.perAddress.peek(addressKey(ip));
  }

  /** Counts one failed look-up against the address and the client. */
  recordFailure(ip: string, clientId: string): void {
    this.perAddress.hit(addressKey(ip));
    this.perClient.hit(clientId);
  }
}
