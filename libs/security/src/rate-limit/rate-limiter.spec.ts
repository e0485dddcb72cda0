import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now = 1_000_000;
  const limiter = () => new RateLimiter(3, 60_000, () => now);

  it('allows up to the limit in a window, then refuses', () => {
    const l = limiter();
    expect([1, 2, 3, 4].map(() => l.hit('ip|user').allowed)).toEqual([true, true, true, false]);
  });

  it('reports the remaining requests and the reset time in epoch seconds', () => {
    const l = limiter();
    expect(l.hit('k')).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetAt: Math.ceil((now + 60_000) / 1000),
    });
  });

  it('keeps keys apart', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.hit('a');
    expect(l.hit('b').allowed).toBe(true);
    expect(l.exceeded('a')).toBe(true);
    expect(l.exceeded('b')).toBe(false);
  });

  it('starts a new window after the old one ends', () => {
    const l = limiter();
    for (let i = 0; i < 4; i++) l.hit('a');
    now += 60_001;
    expect(l.hit('a')).toMatchObject({ allowed: true, remaining: 2 });
  });
});

describe('RateLimiter.peek', () => {
  it('reports the window without counting a request', () => {
    let now = 5_000_000;
    const l = new RateLimiter(2, 60_000, () => now);
    expect(l.peek('k')).toMatchObject({ allowed: true, remaining: 2 });
    l.hit('k');
    l.hit('k');
    expect(l.peek('k')).toEqual({ allowed: false, limit: 2, remaining: 0, resetAt: 5_060 });
    expect(l.peek('k').remaining).toBe(0); // peeking twice counts nothing
    now += 60_000;
    expect(l.peek('k')).toMatchObject({ allowed: true, remaining: 2 });
  });
});
