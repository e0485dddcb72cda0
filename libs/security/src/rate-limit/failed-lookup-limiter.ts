import { isIPv6 } from 'node:net';
import { RateLimiter, type RateLimitDecision } from './rate-limiter';

/**
 * The key an address is counted under: an IPv4 address as itself (also when it arrives IPv4-mapped, as
 * `::ffff:a.b.c.d` on a dual-stack socket), an IPv6 address by its /64 — one host usually holds a whole
 * /64 (RFC 6177), so counting single IPv6 addresses would give a guesser 2^64 fresh budgets.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

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

  /** Counts one failed look-up against the address and the client. */
  recordFailure(ip: string, clientId: string): void {
    this.perAddress.hit(addressKey(ip));
    this.perClient.hit(clientId);
  }
}
