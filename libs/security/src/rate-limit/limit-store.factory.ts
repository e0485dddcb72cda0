import type { AppConfig } from '@libs/config';
import type { LimitStore } from './limit-store';
import { MemoryLimitStore } from './memory-limit-store';
import { RedisLimitStore } from './redis-limit-store';

/** How long a start waits for Redis before it serves with per-process limits (ADR 0010). */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * The store the configuration names: Redis at `REDIS_URL` (shared by every replica), or this process's
 * memory when no `REDIS_URL` is set. A Redis that does not answer delays the start by at most two
 * seconds, never stops it.
 */
export async function limitStoreFromConfig(config: AppConfig): Promise<LimitStore> {
  if (config.limits.redisUrl === null) return new MemoryLimitStore();
  const store = new RedisLimitStore(config.limits.redisUrl, config.limits.keyPrefix);
  await store.connected(CONNECT_TIMEOUT_MS);
  return store;
}
