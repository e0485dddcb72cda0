import type { OnApplicationShutdown } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import { RedisConnection } from '../redis-connection';
import { LimitStore, type CounterOptions, type LimitCounter, type WindowCount } from './limit-store';

/** A command slower than this counts as a store failure: the hot path never waits on a stalled Redis. */
const COMMAND_TIMEOUT_MS = 250;
const SCAN_BATCH = 1000;

const globEscaped = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * Counts shared by every replica, in Redis, through rate-limiter-flexible's `RateLimiterRedis` (one
 * atomic Lua `SET NX` + `INCRBY` + `PTTL` per hit: one round trip, and each concurrent hit sees its own
 * count, which is what lets the limiters reserve an attempt before the work). When Redis is down or slow, each
 * counter falls back to its `insuranceLimiter`, a `RateLimiterMemory` of the same limit: limits fail open
 * to per-process budgets (ADR 0010), a warning is logged once per outage, and Redis is used again as soon
 * as it answers.
 */
export class RedisLimitStore extends LimitStore implements OnApplicationShutdown {
  readonly kind = 'redis';
  private readonly redis: RedisConnection;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    super();
    // Fail at once while disconnected (the insurance limiter answers) instead of queueing commands.
    this.redis = new RedisConnection(url, {
      name: 'LimitStore',
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 2_000,
      messages: {
        down: 'limits store unreachable: limits fall back to per-process counts until it answers',
        up: 'limits store reachable again: limits are shared again',
      },
    });
  }

  /** Whether the shared store answers now (false: limits are per process until it does). */
  get shared(): boolean {
    return this.redis.ready;
  }

  /** Waits (at most `timeoutMs`) for the first connection; false: limits start per process. */
  connected(timeoutMs: number): Promise<boolean> {
    return this.redis.connected(timeoutMs);
  }

  counter(name: string, options: CounterOptions): LimitCounter {
    const duration = Math.max(1, Math.ceil(options.windowMs / 1000));
    const keyPrefix = `${this.keyPrefix}${name}`;
    const limiter = new RateLimiterRedis({
      storeClient: this.redis.client,
      points: options.limit,
      duration,
      keyPrefix,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: options.limit, duration, keyPrefix }),
    });
    const window = (res: RateLimiterRes): WindowCount => ({
      count: res.consumedPoints,
      resetAt: Date.now() + Math.max(0, res.msBeforeNext),
    });
    return {
      hit: async (key) => window(await limiter.penalty(key, 1)),
      release: async (key) => {
        const res = await limiter.reward(key, 1);
        // The window ended between the hit and its release: `reward` opened a new one at -1, a free attempt.
        if (res.consumedPoints < 0) await limiter.delete(key);
      },
      get: async (key) => {
        const res = await limiter.get(key);
        return res ? window(res) : null;
      },
      delete: async (key) => {
        await limiter.delete(key);
      },
      keysEndingWith: (suffix) => this.scan(`${keyPrefix}:`, suffix),
    };
  }

  onApplicationShutdown(): void {
    this.redis.close();
  }

  /** The keys of a prefix that end with `suffix`: SCAN, so an administrator's listing never blocks Redis. */
  private async scan(prefix: string, suffix: string): Promise<string[]> {
    if (!this.shared) return [];
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.client.scan(
        cursor,
        'MATCH',
        `${globEscaped(prefix)}*${globEscaped(suffix)}`,
        'COUNT',
        SCAN_BATCH,
      );
      cursor = next;
      keys.push(...batch.map((key) => key.slice(prefix.length)));
    } while (cursor !== '0');
    return keys;
  }
}
