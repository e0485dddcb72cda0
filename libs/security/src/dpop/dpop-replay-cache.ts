import type { OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@libs/config';
import { RedisConnection } from '../redis-connection';
import { DpopProofsUnavailable } from './dpop-errors';

/** Proofs remembered at most by one process without Redis (11.3 MiB of heap, measured): beyond it new proofs wait. */
export const MAX_REMEMBERED_PROOFS = 100_000;

/** A Redis command slower than this counts as an outage, as for the limits (ADR 0010). */
const COMMAND_TIMEOUT_MS = 250;
/** How long a start waits for Redis; until it answers, DPoP proofs are answered 503. */
const CONNECT_TIMEOUT_MS = 2_000;
/** A full memory cache is swept at most this often: a flood of proofs cannot make every request scan it. */
const FULL_SWEEP_INTERVAL_MS = 1_000;

/**
 * The proofs (`jti` per key) already accepted, each remembered until the instant its `iat` stops being
 * acceptable (RFC 9449 §11.1): a proof this cache has forgotten is one the verifier refuses anyway, so an
 * entry is never dropped before then to make room. When it cannot remember a proof (memory full, the shared
 * store down) it refuses the proof with `DpopProofsUnavailable` (503): DPoP fails closed, never open.
 */
export abstract class DpopReplayCache {
  /**
   * Remembers `key` until `until` (epoch ms): true the first time, false while it is remembered. Rejects
   * with `DpopProofsUnavailable` when it cannot be remembered.
   */
  abstract firstUse(key: string, until: number): Promise<boolean>;
}

/**
 * This process's own memory (no `REDIS_URL`: one process). At most `maxEntries` live entries; when full,
 * the expired ones are swept and, if none has expired, the new proof is refused with the time until the
 * soonest one does (`Retry-After`) instead of evicting one still able to be replayed.
 */
export class MemoryDpopReplayCache extends DpopReplayCache {
  private readonly entries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private lastSweep = 0;
  /** The soonest expiry the last sweep saw: when a full cache has room again. */
  private soonest = Number.POSITIVE_INFINITY;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    super();
    this.maxEntries = options.maxEntries ?? MAX_REMEMBERED_PROOFS;
    this.now = options.now ?? Date.now;
  }

  firstUse(key: string, until: number): Promise<boolean> {
    const now = this.now();
    const known = this.entries.get(key);
    if (known !== undefined && known > now) return Promise.resolve(false);
    if (known === undefined && this.entries.size >= this.maxEntries && !this.sweep(now)) {
      const retryAfterMs = Math.max(1_000, this.soonest - now);
      return Promise.reject(
        new DpopProofsUnavailable(
          'Too many DPoP proofs in flight to remember another. Try again shortly.',
          Math.ceil(retryAfterMs / 1000),
        ),
      );
    }
    this.entries.set(key, until);
    return Promise.resolve(true);
  }

  /** Drops the expired entries; whether there is room now. */
  private sweep(now: number): boolean {
    if (now - this.lastSweep >= FULL_SWEEP_INTERVAL_MS || this.soonest <= now) {
      this.lastSweep = now;
      this.soonest = Number.POSITIVE_INFINITY;
      for (const [key, until] of this.entries) {
        if (until <= now) this.entries.delete(key);
        else this.soonest = Math.min(this.soonest, until);
      }
    }
    return this.entries.size < this.maxEntries;
  }
}

/**
 * Shared by every replica in Redis: one `SET key 1 PX ttl NX` per proof (atomic: of two replicas given
 * the same proof, one wins). Unlike the limits (ADR 0010) there is no per-process fallback: while Redis is
 * down or slow, or refuses the write (out of memory under `maxmemory-policy noeviction`), each replica would
 * remember only its own proofs and a proof could be replayed once per replica, so proofs are refused (503).
 */
export class RedisDpopReplayCache extends DpopReplayCache implements OnApplicationShutdown {
  private readonly redis: RedisConnection;

  constructor(
    url: string,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
    // Fail at once while disconnected (refused) instead of queueing proofs.
    this.redis = new RedisConnection(url, {
      name: 'DpopReplayCache',
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      messages: {
        down: 'DPoP replay cache unreachable: requests with a DPoP proof are answered 503 until it answers',
        up: 'DPoP replay cache reachable again: DPoP proofs accepted again',
      },
    });
  }

  /** Whether Redis answers now (false: proofs are refused until it does). */
  get ready(): boolean {
    return this.redis.ready;
  }

  /** Waits (at most `timeoutMs`) for the first connection. */
  connected(timeoutMs: number): Promise<boolean> {
    return this.redis.connected(timeoutMs);
  }

  async firstUse(key: string, until: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(until - this.now()));
    let answer: string | null;
    try {
      answer = await this.redis.client.set(`${this.keyPrefix}dpop-jti:${key}`, '1', 'PX', ttl, 'NX');
    } catch (error) {
      this.redis.failing((error as Error).message);
      throw new DpopProofsUnavailable(
        'DPoP proofs cannot be checked for replay right now. Try again shortly.',
        5,
      );
    }
    return answer === 'OK';
  }

  onApplicationShutdown(): void {
    this.redis.close();
  }
}

/**
 * The cache the configuration names: Redis at `REDIS_URL` (the replicas share it, as they share the
 * limits), or this process's memory. A Redis that does not answer delays the start by at most two seconds.
 */
export async function dpopReplayCacheFromConfig(config: AppConfig): Promise<DpopReplayCache> {
  if (config.limits.redisUrl === null) return new MemoryDpopReplayCache();
  const cache = new RedisDpopReplayCache(config.limits.redisUrl, config.limits.keyPrefix);
  await cache.connected(CONNECT_TIMEOUT_MS);
  return cache;
}
