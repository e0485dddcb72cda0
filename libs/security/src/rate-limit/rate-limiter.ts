/** What a limiter says about one request: the X-RateLimit-* headers and whether it may go on. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window resets (Auth0's `X-RateLimit-Reset`). */
  resetAt: number;
}

/**
 * Fixed-window counters per key (e.g. IP + user), in memory. Per process: with several API instances
 * each enforces its own share; a shared store (Redis) is the scale-out step.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`. */
  hit(key: string): RateLimitDecision {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return {
      allowed: window.count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetAt: Math.ceil(window.resetAt / 1000),
    };
  }

  /** What `hit` would report about the requests counted so far, without counting one. */
  peek(key: string): RateLimitDecision {
    const now = this.now();
    const window = this.windows.get(key);
    const live = window && window.resetAt > now ? window : { count: 0, resetAt: now + this.windowMs };
    return {
      allowed: live.count < this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - live.count),
      resetAt: Math.ceil(live.resetAt / 1000),
    };
  }

  /** Whether `key` is over its limit, without counting a request. */
  exceeded(key: string): boolean {
    const window = this.windows.get(key);
    return Boolean(window && window.resetAt > this.now() && window.count >= this.limit);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
