import { counterFor } from './memory-limit-store';
import type { LimitCounter, LimitSource, WindowCount } from './limit-store';

/** What a limiter says about one request: the X-RateLimit-* headers and whether it may go on. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window resets (Auth0's `X-RateLimit-Reset`). */
  resetAt: number;
}

/**
 * Fixed-window counters per key (e.g. IP + user), kept in a `LimitStore` (ADR 0010: shared by every
 * replica when `REDIS_URL` is set), or in this process's memory when given a clock instead.
 */
export class RateLimiter {
  private readonly counter: LimitCounter;
  private readonly now: () => number;

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
    source: LimitSource = Date.now,
  ) {
    this.counter = counterFor(source, { windowMs, limit });
    this.now = typeof source === 'function' ? source : Date.now;
  }

  /** Counts one request for `key`. */
  async hit(key: string): Promise<RateLimitDecision> {
    const window = await this.counter.hit(key);
    return this.decision(window, window.count <= this.limit);
  }

  /** What `hit` would report about the requests counted so far, without counting one. */
  async peek(key: string): Promise<RateLimitDecision> {
    const window = (await this.counter.get(key)) ?? { count: 0, resetAt: this.now() + this.windowMs };
    return this.decision(window, window.count < this.limit);
  }

  /** Whether `key` is over its limit, without counting a request. */
  async exceeded(key: string): Promise<boolean> {
    const window = await this.counter.get(key);
    return Boolean(window && window.count >= this.limit);
  }

  private decision(window: WindowCount, allowed: boolean): RateLimitDecision {
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetAt: Math.ceil(window.resetAt / 1000),
    };
  }
}
