import { loginAttemptKey, LoginAttemptLimiter } from './attempt-limiter';

describe('failed attempt limiting (per address and subject, in memory)', () => {
  let clock = 0;
  const limiter = (limits: { maxKeys?: number } = {}) =>
    new LoginAttemptLimiter({ maxFailures: 3, windowMs: 60_000, now: () => clock, ...limits });

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('lets a key fail up to the limit, then asks it to wait until the window ends', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(await l.retryAfterSeconds('k')).toBeNull();
      await l.recordFailure('k');
      clock += 1_000;
    }
    expect(await l.retryAfterSeconds('k')).toBe(57);
    clock += 56_500;
    expect(await l.retryAfterSeconds('k')).toBe(1);
    clock += 500;
    expect(await l.retryAfterSeconds('k')).toBeNull();
  });

  it('counts keys apart, and forgets a key on reset (a successful login)', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) await l.recordFailure('a');
    expect(await l.retryAfterSeconds('a')).not.toBeNull();
    expect(await l.retryAfterSeconds('b')).toBeNull();
    await l.reset('a');
    expect(await l.retryAfterSeconds('a')).toBeNull();
  });

  it('keeps at most maxKeys windows, forgetting the oldest first', async () => {
    const l = limiter({ maxKeys: 2 });
    for (const key of ['old', 'mid', 'new']) for (let i = 0; i < 3; i++) await l.recordFailure(key);
    expect(await l.retryAfterSeconds('old')).toBeNull();
    expect(await l.retryAfterSeconds('mid')).not.toBeNull();
    expect(await l.retryAfterSeconds('new')).not.toBeNull();
  });

  it('defaults to 10 failures per 15 minutes', async () => {
    const l = new LoginAttemptLimiter({ now: () => clock });
    for (let i = 0; i < 10; i++) await l.recordFailure('k');
    expect(await l.retryAfterSeconds('k')).toBe(15 * 60);
  });

  it('keys by address and email without regard to case or surrounding spaces', async () => {
    expect(loginAttemptKey('10.0.0.1', ' Jane@Example.com ')).toBe(
      loginAttemptKey('10.0.0.1', 'jane@example.com'),
    );
    expect(loginAttemptKey('10.0.0.1', 'jane@example.com')).not.toBe(
      loginAttemptKey('10.0.0.2', 'jane@example.com'),
    );
  });

  it('keys an IPv6 address by its /64, so rotating addresses in one host buys no new budget', async () => {
    expect(loginAttemptKey('2001:db8:1:2::1', 'a@example.com')).toBe(
      loginAttemptKey('2001:db8:1:2:ffff::9', 'a@example.com'),
    );
  });

  it('lists and lifts the blocks of one subject from every address, and only that subject (user-blocks)', async () => {
    const l = limiter();
    const [a1, a2, b] = [
      loginAttemptKey('10.0.0.1', 'ada@example.com'),
      loginAttemptKey('10.0.0.2', 'Ada@Example.com'),
      loginAttemptKey('10.0.0.1', 'bob@example.com'),
    ];
    for (let i = 0; i < 3; i++) for (const key of [a1, a2, b]) await l.recordFailure(key);
    await l.recordFailure(loginAttemptKey('10.0.0.3', 'ada@example.com'));
    expect((await l.blockedAddresses(' ADA@example.com')).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await l.forget('ada@example.com')).toBe(2);
    expect([await l.retryAfterSeconds(a1), await l.retryAfterSeconds(a2)]).toEqual([null, null]);
    expect(await l.retryAfterSeconds(b)).not.toBeNull();
    expect(await l.blockedAddresses('ada@example.com')).toEqual([]);
  });
});
