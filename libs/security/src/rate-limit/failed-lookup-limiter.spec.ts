import { addressKey } from './address-key';
import { FailedLookupLimiter } from './failed-lookup-limiter';

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('counts %s as %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});

describe('FailedLookupLimiter', () => {
  let now = 1_000_000;
  const limiter = () => new FailedLookupLimiter(3, () => now);

  it('refuses an address after the limit, for every client, with its window', async () => {
    const l = limiter();
    for (const client of ['a', 'b', 'c']) {
      expect(await l.refusal('198.51.100.1', client)).toBeNull();
      await l.recordFailure('198.51.100.1', client);
    }
    expect(await l.refusal('198.51.100.1', 'd')).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetAt: Math.ceil((now + 60_000) / 1000),
    });
    expect(await l.refusal('198.51.100.2', 'd')).toBeNull();
  });

  it('counts addresses of one IPv6 /64 together', async () => {
    const l = limiter();
    for (let i = 1; i <= 3; i++) await l.recordFailure(`2001:db8:0:1::${i}`, `client-${i}`);
    expect(await l.refusal('2001:db8:0:1:ffff::9', 'other')).not.toBeNull();
    expect(await l.refusal('2001:db8:0:2::1', 'other')).toBeNull();
  });

  it('refuses, for a client over the limit, the addresses that failed for it, but not its other users', async () => {
    const l = limiter();
    for (let i = 1; i <= 3; i++) await l.recordFailure(`192.0.2.${i}`, 'mobile');
    expect(await l.refusal('192.0.2.1', 'mobile')).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
    expect(await l.refusal('192.0.2.1', 'web')).toBeNull();
    expect(await l.refusal('192.0.2.200', 'mobile')).toBeNull();
    await l.recordFailure('192.0.2.200', 'mobile');
    expect(await l.refusal('192.0.2.200', 'mobile')).not.toBeNull();
  });

  it('forgets everything after a minute', async () => {
    const l = limiter();
    for (let i = 1; i <= 3; i++) await l.recordFailure('192.0.2.1', 'mobile');
    now += 60_000;
    expect(await l.refusal('192.0.2.1', 'mobile')).toBeNull();
  });
});
