import { LimitStore, type LimitCounter } from './limit-store';
import { MemoryCounter } from './memory-limit-store';
import { RateLimiter } from './rate-limiter';

/** One counter per name, whoever asks: what Redis is to the replicas. */
class SharedStore extends LimitStore {
  readonly kind = 'memory';
  private readonly counters = new Map<string, LimitCounter>();
  counter(name: string): LimitCounter {
    if (!this.counters.has(name)) this.counters.set(name, new MemoryCounter({ windowMs: 60_000 }));
    return this.counters.get(name)!;
  }
}

describe('RateLimiter', () => {
  let now = 1_000_000;
  const limiter = () => new RateLimiter(3, 60_000, () => now);

  it('allows up to the limit in a window, then refuses', async () => {
    const l = limiter();
    const allowed: boolean[] = [];
    for (let i = 0; i < 4; i++) allowed.push((await l.hit('ip|user')).allowed);
    expect(allowed).toEqual([true, true, true, false]);
  });

  it('reports the remaining requests and the reset time in epoch seconds', async () => {
    const l = limiter();
    expect(await l.hit('k')).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetAt: Math.ceil((now + 60_000) / 1000),
    });
  });

  it('keeps keys apart', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) await l.hit('a');
    expect((await l.hit('b')).allowed).toBe(true);
    expect(await l.exceeded('a')).toBe(true);
    expect(await l.exceeded('b')).toBe(false);
  });

  it('starts a new window after the old one ends', async () => {
    const l = limiter();
    for (let i = 0; i < 4; i++) await l.hit('a');
    now += 60_001;
    expect(await l.hit('a')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('counts in the store it is given: two limiters (two replicas) on one store share the budget', async () => {
    const store = new SharedStore();
    const one = new RateLimiter(3, 60_000, { store, name: 'delegation' });
    const two = new RateLimiter(3, 60_000, { store, name: 'delegation' });
    await one.hit('k');
    await two.hit('k');
    await one.hit('k');
    expect(await two.hit('k')).toMatchObject({ allowed: false, remaining: 0 });
  });
});

describe('RateLimiter.peek', () => {
  it('reports the window without counting a request', async () => {
    let now = 5_000_000;
    const l = new RateLimiter(2, 60_000, () => now);
    expect(await l.peek('k')).toMatchObject({ allowed: true, remaining: 2 });
    await l.hit('k');
    await l.hit('k');
    expect(await l.peek('k')).toEqual({ allowed: false, limit: 2, remaining: 0, resetAt: 5_060 });
    expect((await l.peek('k')).remaining).toBe(0); // peeking twice counts nothing
    now += 60_000;
    expect(await l.peek('k')).toMatchObject({ allowed: true, remaining: 2 });
  });
});
