import { deriveKey, randomToken } from '@libs/security';
import type { AuthorizeRequest } from './authorize-request';
import { LOGIN_STATE_TTL_SECONDS, sealLoginState, unsealLoginState } from './login-state';

const key = deriveKey('server-secret-for-login-state-tests-0123456789', 'csrf');
const otherKey = deriveKey('server-secret-for-login-state-tests-0123456789', 'session');
const csrf = randomToken(32);
const now = new Date('2025-06-01T12:00:00Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

const request: AuthorizeRequest = {
  clientId: 'client-1',
  redirectUri: 'com.example.app://callback',
  scope: 'openid offline_access',
  state: 'state <with> "quotes"',
  nonce: 'nonce-1',
  device: 'Jane’s phone 📱',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the sealed login state (HMAC over the request, the CSRF token and an expiry)', () => {
  const sealed = sealLoginState(request, csrf, key, now);

  it('opens with the same key and CSRF token before it expires, giving back the request intact', () => {
    expect(unsealLoginState(sealed, csrf, key, later(LOGIN_STATE_TTL_SECONDS - 1))).toEqual({
      ok: true,
      request,
      expiresAt: later(LOGIN_STATE_TTL_SECONDS),
    });
  });

  it('refuses it once expired (10 minutes)', () => {
    expect(LOGIN_STATE_TTL_SECONDS).toBe(600);
    expect(unsealLoginState(sealed, csrf, key, later(LOGIN_STATE_TTL_SECONDS))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses it beside another CSRF token: a state only works with the cookie it was issued for', () => {
    expect(unsealLoginState(sealed, randomToken(32), key, now)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses it under another key', () => {
    expect(unsealLoginState(sealed, csrf, otherKey, now)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a changed request, even with a fresh expiry, without the key', () => {
    const [version, , tag] = sealed.split('.');
    const forged = b64({ request: { ...request, redirectUri: 'https://evil.example/cb' }, exp: 9e9 });
    expect(unsealLoginState(`${version}.${forged}.${tag}`, csrf, key, now)).toEqual({
      ok: false,
      reason: 'tampered',
    });
    const extended = b64({ request, exp: 9e9 });
    expect(unsealLoginState(`${version}.${extended}.${tag}`, csrf, key, now)).toMatchObject({ ok: false });
  });

  it('refuses any single flipped character of the seal', () => {
    for (const at of [3, Math.floor(sealed.length / 2), sealed.length - 1]) {
      const flipped = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
      expect(unsealLoginState(flipped, csrf, key, now).ok).toBe(false);
    }
  });

  it.each(['', 'garbage', 'v1.abc', 'v2.a.b', `${sealed}.extra`])(
    'refuses the malformed seal %j',
    (value) => {
      expect(unsealLoginState(value, csrf, key, now)).toMatchObject({ ok: false });
    },
  );

  it('refuses a payload of the wrong shape even when its MAC is right (another release)', () => {
    const sealedOther = sealLoginState(
      { ...request, codeChallengeMethod: 'plain' as 'S256' },
      csrf,
      key,
      now,
    );
    expect(unsealLoginState(sealedOther, csrf, key, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('carries the request readable but not the CSRF token', () => {
    const payload = Buffer.from(sealed.split('.')[1], 'base64url').toString('utf8');
    expect(JSON.parse(payload).request).toEqual(request);
    expect(sealed).not.toContain(csrf);
  });
});
