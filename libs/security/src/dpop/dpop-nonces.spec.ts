import { SecretKeys } from '../secret-keys';
import { DpopNonces } from './dpop-nonces';

describe('DpopNonces', () => {
  const WINDOW_MS = 300_000;
  let now = 1_750_000_000_000;
  const clock = () => now;
  const key = Buffer.alloc(32, 3);

  it('hands out one URL-safe nonce per window', () => {
    const nonces = new DpopNonces(key, { windowMs: WINDOW_MS, now: clock });
    const first = nonces.issue();
    now = Math.floor(now / WINDOW_MS) * WINDOW_MS + WINDOW_MS - 1;
    expect(nonces.issue()).toBe(first);
    now += 1;
    expect(nonces.issue()).not.toBe(first);
    // RFC 9449 §8.1: nonce = 1*NQCHAR.
    expect(first).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('accepts a nonce in its window and the next, not after', () => {
    const nonces = new DpopNonces(key, { windowMs: WINDOW_MS, now: clock });
    const nonce = nonces.issue();
    expect(nonces.isValid(nonce)).toBe(true);
    now += WINDOW_MS;
    expect(nonces.isValid(nonce)).toBe(true);
    now += WINDOW_MS;
    expect(nonces.isValid(nonce)).toBe(false);
  });

  it('accepts on one replica what another issued, and refuses another server secret’s', () => {
    const replica = DpopNonces.fromKeys(new SecretKeys('server-secret-of-at-least-32-characters!'));
    const other = DpopNonces.fromKeys(new SecretKeys('server-secret-of-at-least-32-characters!'));
    const foreign = DpopNonces.fromKeys(new SecretKeys('another-secret-of-at-least-32-characters'));
    expect(other.isValid(replica.issue())).toBe(true);
    expect(foreign.isValid(replica.issue())).toBe(false);
  });

  it('after SERVER_SECRET rotates, issues under the new secret and still accepts the previous one’s nonces', () => {
    const [oldSecret, newSecret] = [
      'old-server-secret-of-at-least-32-characters',
      'new-server-secret-of-at-least-32-characters',
    ];
    const notRestarted = DpopNonces.fromKeys(new SecretKeys(oldSecret));
    const rotated = DpopNonces.fromKeys(new SecretKeys(newSecret, [oldSecret]));
    const withoutPrevious = DpopNonces.fromKeys(new SecretKeys(newSecret));
    expect(rotated.isValid(notRestarted.issue())).toBe(true);
    expect(withoutPrevious.isValid(notRestarted.issue())).toBe(false);
    expect(rotated.issue()).toBe(withoutPrevious.issue());
    expect(rotated.issue()).not.toBe(notRestarted.issue());
  });

  it('refuses anything else', () => {
    const nonces = new DpopNonces(key, { windowMs: WINDOW_MS, now: clock });
    expect(nonces.isValid('')).toBe(false);
    expect(nonces.isValid(nonces.issue().slice(1))).toBe(false);
  });
});
