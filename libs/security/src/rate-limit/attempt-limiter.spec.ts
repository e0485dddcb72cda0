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
      expect(await l.consume('k')).toBeNull();
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
    for (let i = 0; i < 3; i++) await l.consume('a');
    expect(await l.retryAfterSeconds('a')).not.toBeNull();
    expect(await l.retryAfterSeconds('b')).toBeNull();
    await l.reset('a');
    expect(await l.retryAfterSeconds('a')).toBeNull();
  });

  it('keeps at most maxKeys windows, forgetting the oldest first', async () => {
    const l = limiter({ maxKeys: 2 });
    for (const key of ['old', 'mid', 'new']) for (let i = 0; i < 3; i++) await l.consume(key);
    expect(await l.retryAfterSeconds('old')).toBeNull();
    expect(await l.retryAfterSeconds('mid')).not.toBeNull();
    expect(await l.retryAfterSeconds('new')).not.toBeNull();
  });

  it('defaults to 10 failures per 15 minutes', async () => {
    const l = new LoginAttemptLimiter({ now: () => clock });
    for (let i = 0; i < 10; i++) await l.consume('k');
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
    for (let i = 0; i < 3; i++) for (const key of [a1, a2, b]) await l.consume(key);
    await l.consume(loginAttemptKey('10.0.0.3', 'ada@example.com'));
    expect((await l.blockedAddresses(' ADA@example.com')).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await l.forget('ada@example.com')).toBe(2);
    expect([await l.retryAfterSeconds(a1), await l.retryAfterSeconds(a2)]).toEqual([null, null]);
    expect(await l.retryAfterSeconds(b)).not.toBeNull();
    expect(await l.blockedAddresses('ada@example.com')).toEqual([]);
  });

  it('issue 19 finding 3: of N attempts reserved at once, exactly the limit go on; the rest wait out the window', async () => {
    const l = limiter();
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => l.consume('k')));
    expect(outcomes.filter((o) => o === null)).toHaveLength(3);
    expect(outcomes.filter((o) => o === 60)).toHaveLength(9);
  });

  it('gives an attempt back on release, never below zero', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) await l.consume('k');
    await l.release('k');
    expect(await l.consume('k')).toBeNull();
    expect(await l.consume('k')).not.toBeNull();
    await l.reset('k');
    await l.release('k');
    for (let i = 0; i < 3; i++) expect(await l.consume('k')).toBeNull();
    expect(await l.consume('k')).not.toBeNull();
  });
});

describe('login attempts under two budgets (issue 19, findings 2 and 3)', () => {
  let clock = 0;
  const limiter = () =>
    new LoginAttemptLimiter({ maxFailures: 3, windowMs: 60_000, now: () => clock }, undefined, {
      maxFailures: 5,
      windowMs: 3_600_000,
    });
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('issue 19 finding 2: refuses an address that failed for many emails, whatever the next email', async () => {
    const l = limiter();
    for (let i = 0; i < 5; i++)
      expect((await l.begin('10.0.0.1', `user-${i}@example.com`)).refusal).toBeNull();
    expect((await l.begin('10.0.0.1', 'fresh@example.com')).refusal).toEqual({
      reason: 'address',
      retryAfterSeconds: 3_600,
    });
    expect((await l.begin('10.0.0.2', 'fresh@example.com')).refusal).toBeNull();
  });

  it('refuses an email after its own budget from one address, before the address budget is spent', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) expect((await l.begin('10.0.0.1', 'ada@example.com')).refusal).toBeNull();
    expect((await l.begin('10.0.0.1', 'ada@example.com')).refusal).toMatchObject({ reason: 'subject' });
    expect((await l.begin('10.0.0.1', 'bob@example.com')).refusal).toBeNull();
  });

  it('issue 19 finding 3: of N concurrent logins exactly the budget goes on', async () => {
    const l = limiter();
    const attempts = await Promise.all(
      Array.from({ length: 20 }, () => l.begin('10.0.0.1', 'ada@example.com')),
    );
    expect(attempts.filter((a) => a.refusal === null)).toHaveLength(3);
  });

  it('gives the address its attempt back on success, and both on an abandoned check', async () => {
    const l = limiter();
    for (let i = 0; i < 10; i++) await (await l.begin('10.0.0.1', `ok-${i}@example.com`)).succeeded();
    for (let i = 0; i < 10; i++) await (await l.begin('10.0.0.1', 'ada@example.com')).abandoned();
    for (let i = 0; i < 3; i++) expect((await l.begin('10.0.0.1', 'ada@example.com')).refusal).toBeNull();
    for (let i = 0; i < 2; i++) expect((await l.begin('10.0.0.1', `x-${i}@example.com`)).refusal).toBeNull();
    expect((await l.begin('10.0.0.1', 'y@example.com')).refusal).toMatchObject({ reason: 'address' });
  });

  it('counts the addresses of one IPv6 /64 as one address for both budgets', async () => {
    const l = limiter();
    for (let i = 1; i <= 3; i++) await l.begin(`2001:db8:1:2::${i}`, 'ada@example.com');
    expect((await l.begin('2001:db8:1:2:ffff::9', 'ada@example.com')).refusal).toMatchObject({
      reason: 'subject',
    });
    for (let i = 1; i <= 2; i++) await l.begin(`2001:db8:1:2::${i}`, `other-${i}@example.com`);
    expect((await l.begin('2001:db8:1:2::77', 'new@example.com')).refusal).toMatchObject({
      reason: 'address',
    });
  });
});
