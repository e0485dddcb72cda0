/** A key's count in its current fixed window. */
export interface WindowCount {
  count: number;
  /** Epoch milliseconds at which the window ends and the count starts again from zero. */
  resetAt: number;
}

/** Fixed-window counters of one purpose (failed logins, delegations per user, ...), keyed by strings. */
export interface LimitCounter {
  /**
   * Counts one event for `key` and returns the window after it, atomically: of N concurrent hits each
   * sees its own count (1..N), so a limiter deciding on the returned count lets exactly `limit` through.
   */
  hit(key: string): Promise<WindowCount>;
  /**
   * Takes one event back from `key`'s live window (an attempt reserved by `hit` that turned out not to
   * count: a success, work refused); nothing when the window has ended meanwhile.
   */
  release(key: string): Promise<void>;
  /** The key's live window, without counting; `null` when it has none. */
  get(key: string): Promise<WindowCount | null>;
  /** Forgets the key's window. */
  delete(key: string): Promise<void>;
  /** The keys with a live window that end with `suffix` (administration only: may scan the store). */
  keysEndingWith(suffix: string): Promise<string[]>;
}

export interface CounterOptions {
  windowMs: number;
  /** The limit the counter serves (a shared store's per-process fallback enforces it alone). */
  limit: number;
  /** Keys kept at most in memory; beyond it the oldest are forgotten, so a flood cannot exhaust memory. */
  maxKeys?: number;
  /** The clock, epoch milliseconds (in-memory counters only). */
  now?: () => number;
}

/**
 * The port every limiter counts through (ADR 0010): this process's memory, or a store that every replica
 * shares (Redis, `REDIS_URL`). `RateLimiter`, `FailedLookupLimiter` and `AttemptLimiter` take one; it is
 * the injectable token too.
 */
export abstract class LimitStore {
  abstract readonly kind: 'memory' | 'redis';
  /** The counters of one purpose; `name` keeps purposes apart (it prefixes the keys in a shared store). */
  abstract counter(name: string, options: CounterOptions): LimitCounter;
}

/** Where a limiter counts: in a store under a purpose's name, or in this process by the given clock. */
export type LimitSource = { store: LimitStore; name: string } | (() => number);
