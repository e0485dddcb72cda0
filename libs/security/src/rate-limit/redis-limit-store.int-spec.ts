import { DedicatedRedis, freePort, uniqueLimitsPrefix } from '@libs/testing';
import { AttemptLimiter } from './attempt-limiter';
import { RedisLimitStore } from './redis-limit-store';

const WINDOW = { windowMs: 60_000, limit: 5 };

describe('RedisLimitStore (rate-limiter-flexible on a real Redis)', () => {
  let redis: DedicatedRedis;
  const stores: RedisLimitStore[] = [];
  const store = async (url = redis.url, prefix = uniqueLimitsPrefix()) => {
    const created = new RedisLimitStore(url, prefix);
    stores.push(created);
    await created.connected(2_000);
    return created;
  };
  /** Two stores on one Redis and prefix: two replicas. */
  const replicas = async () => {
    const prefix = uniqueLimitsPrefix();
    return Promise.all([store(redis.url, prefix), store(redis.url, prefix)]);
  };

  beforeAll(async () => {
    redis = await DedicatedRedis.create();
  }, 120_000);
  afterAll(async () => {
    for (const s of stores) s.onApplicationShutdown();
    await redis?.destroy();
  });

  it('shares one count between two stores (two replicas) on one Redis', async () => {
    const [one, two] = await replicas();
    expect(one.shared && two.shared).toBe(true);
    const [a, b] = [one.counter('delegations', WINDOW), two.counter('delegations', WINDOW)];
    const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).hit('ip|user')));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(await b.get('ip|user')).toMatchObject({ count: 20 });
    expect((await a.get('ip|user'))!.resetAt).toBeGreaterThan(Date.now() + 55_000);
    await a.delete('ip|user');
    expect(await b.get('ip|user')).toBeNull();
  });

  it('blocks an address for a subject across replicas, and lists and lifts the blocks (user-blocks)', async () => {
    const [one, two] = await replicas();
    const limits = { maxFailures: 3, windowMs: 60_000 };
    const a = new AttemptLimiter(limits, { store: one, name: 'login' });
    const b = new AttemptLimiter(limits, { store: two, name: 'login' });
    const key = '10.0.0.1\nada@example.com';
    await a.consume(key);
    await b.consume(key);
    await b.consume('10.0.0.2\nbob@example.com');
    expect(await a.retryAfterSeconds(key)).toBeNull();
    await a.consume(key);
    expect(await b.retryAfterSeconds(key)).toBeGreaterThan(55);
    expect(await b.blockedAddresses('ADA@example.com')).toEqual(['10.0.0.1']);
    expect(await a.forget('ada@example.com')).toBe(1);
    expect(await b.retryAfterSeconds(key)).toBeNull();
  });

  it('issue 19 finding 3: of attempts reserved at once on two replicas, exactly the limit go on; release gives one back', async () => {
    const [one, two] = await replicas();
    const limits = { maxFailures: 10, windowMs: 60_000 };
    const a = new AttemptLimiter(limits, { store: one, name: 'secrets' });
    const b = new AttemptLimiter(limits, { store: two, name: 'secrets' });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).consume('k')));
    expect(outcomes.filter((o) => o === null)).toHaveLength(10);
    expect(outcomes.filter((o) => o !== null && o > 55)).toHaveLength(20);
    await a.reset('k');
    for (let i = 0; i < 10; i++) await b.consume('k');
    await a.release('k');
    expect(await b.consume('k')).toBeNull();
    expect(await a.consume('k')).not.toBeNull();
  });

  it('fails open to per-process counts when Redis is down, and keeps limiting there', async () => {
    const dead = await store(`redis://127.0.0.1:${await freePort()}`);
    const counter = dead.counter('delegations', WINDOW);
    const started = Date.now();
    const counts = [];
    for (let i = 0; i < 7; i++) counts.push((await counter.hit('ip|user')).count);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Date.now() - started).toBeLessThan(1_000); // no command waits on the dead store
    expect(dead.shared).toBe(false);
  });

  it('shares the counts again once its Redis is back', async () => {
    const [one, two] = await replicas();
    const [a, b] = [one.counter('back', WINDOW), two.counter('back', WINDOW)];
    await redis.stop();
    await a.hit('k'); // counted by `one` alone
    expect((await b.hit('k')).count).toBe(1);
    await redis.start();
    await Promise.all([one.connected(10_000), two.connected(10_000)]);
    while (!(one.shared && two.shared)) await new Promise((r) => setTimeout(r, 100));
    await a.hit('k');
    expect((await b.hit('k')).count).toBe(2);
  }, 30_000);
});
