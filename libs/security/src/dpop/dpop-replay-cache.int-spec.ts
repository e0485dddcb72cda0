import { DedicatedRedis, freePort, uniqueLimitsPrefix } from '@libs/testing';
import { DpopProofsUnavailable } from './dpop-errors';
import { RedisDpopReplayCache } from './dpop-replay-cache';

describe('RedisDpopReplayCache (a real Redis)', () => {
  let redis: DedicatedRedis;
  const caches: RedisDpopReplayCache[] = [];
  const cache = async (url = redis.url, prefix = uniqueLimitsPrefix()) => {
    const created = new RedisDpopReplayCache(url, prefix);
    caches.push(created);
    await created.connected(2_000);
    return created;
  };

  beforeAll(async () => {
    redis = await DedicatedRedis.create();
  }, 120_000);
  afterAll(async () => {
    for (const c of caches) c.onApplicationShutdown();
    await redis?.destroy();
  });

  it('accepts a proof once across two replicas, of 20 concurrent presentations', async () => {
    const prefix = uniqueLimitsPrefix();
    const [one, two] = await Promise.all([cache(redis.url, prefix), cache(redis.url, prefix)]);
    const until = Date.now() + 60_000;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).firstUse('jkt.jti', until)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('remembers a proof until the instant given, then forgets it', async () => {
    const c = await cache();
    expect(await c.firstUse('short', Date.now() + 300)).toBe(true);
    expect(await c.firstUse('short', Date.now() + 300)).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(await c.firstUse('short', Date.now() + 300)).toBe(true);
  });

  it('issue 19 finding 13: refuses (503) at once while Redis cannot be reached, never accepts unchecked', async () => {
    const dead = await cache(`redis://127.0.0.1:${await freePort()}`);
    const started = Date.now();
    const refused = await dead.firstUse('k', Date.now() + 60_000).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DpopProofsUnavailable);
    expect(refused).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
