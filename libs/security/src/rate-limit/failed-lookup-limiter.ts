import { addressKey } from './address-key';
import type { LimitSource, LimitStore } from './limit-store';
import { RateLimiter, type RateLimitDecision } from './rate-limiter';

/** Address budgets remembered at most for the synchronous X-RateLimit-* headers of refusals. */
const SEEN_MAX = 10_000;

/**
 * Slows down guessing refresh tokens: counts failed look-ups (unknown, revoked or foreign tokens) per
 * address and per client in fixed one-minute windows, in the limits store (ADR 0010).
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
  /** The address budgets this process read or wrote last (bounded): headers are written synchronously. */
  private readonly seen = new Map<string, RateLimitDecision>();
  private readonly now: () => number;

  /** `limit` failed look-ups per minute, per address and per client; counted in `store`, or in memory by `now`. */
  constructor(limit: number, source: LimitStore | (() => number) = Date.now) {
    const named = (name: string): LimitSource =>
      typeof source === 'function' ? source : { store: source, name };
    this.perAddress = new RateLimiter(limit, 60_000, named('failed-lookups-address'));
    this.perClient = new RateLimiter(limit, 60_000, named('failed-lookups-client'));
    this.now = typeof source === 'function' ? source : Date.now;
  }

  /** The decision to answer 429 with when this look-up must not happen, or `null` when it may. */
  async refusal(ip: string, clientId: string): Promise<RateLimitDecision | null> {
    const key = addressKey(ip);
    // Both read at once: one round trip to a shared store.
    const [address, client] = await Promise.all([this.perAddress.peek(key), this.perClient.peek(clientId)]);
    this.remember(key, address);
    if (!address.allowed) return address;
    if (!client.allowed && address.remaining < this.perAddress.limit) return client;
    return null;
  }

  /**
   * What is left of the address's budget, without counting a look-up and without asking the store: the
   * count this process last read or wrote for the address (this request's own failure included), or the
   * whole budget when it has seen none in the window. Only for the X-RateLimit-* headers of refusals.
   */
  addressBudget(ip: string): RateLimitDecision {
    const now = this.now();
    const seen = this.seen.get(addressKey(ip));
    if (seen && seen.resetAt * 1000 > now) return seen;
    const limit = this.perAddress.limit;
    return { allowed: true, limit, remaining: limit, resetAt: Math.ceil((now + 60_000) / 1000) };
  }

  /** Counts one failed look-up against the address and the client. */
  async recordFailure(ip: string, clientId: string): Promise<void> {
    const key = addressKey(ip);
    const [address] = await Promise.all([this.perAddress.hit(key), this.perClient.hit(clientId)]);
    this.remember(key, address);
  }

  private remember(address: string, decision: RateLimitDecision): void {
    this.seen.delete(address);
    if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(address, decision);
  }
}
