import { deriveKey } from '@libs/security';
import { csrfToken, isSameOriginRequest, verifyCsrfToken } from './csrf';

describe('dashboard CSRF tokens', () => {
  const key = deriveKey('s'.repeat(40), 'csrf');
  const session = { session: 'A'.repeat(43) };

  it('accepts the token of its own session only', () => {
    const token = csrfToken(key, session);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toContain(session.session);
    expect(verifyCsrfToken([key], session, token)).toBe(true);
    expect(verifyCsrfToken([key], { session: 'B'.repeat(43) }, token)).toBe(false);
  });

  it('refuses a missing, altered or non-string token', () => {
    const token = csrfToken(key, session);
    const altered = (token[0] === 'a' ? 'b' : 'a') + token.slice(1);
    for (const presented of [undefined, '', altered, token.slice(1), [token], 42]) {
      expect(verifyCsrfToken([key], session, presented)).toBe(false);
    }
  });

  it('gives the login form and a session different tokens for the same value, and depends on the key', () => {
    const value = 'C'.repeat(43);
    expect(csrfToken(key, { loginForm: value })).not.toBe(csrfToken(key, { session: value }));
    expect(verifyCsrfToken([key], { session: value }, csrfToken(key, { loginForm: value }))).toBe(false);
    const otherKey = deriveKey('t'.repeat(40), 'csrf');
    expect(verifyCsrfToken([otherKey], session, csrfToken(key, session))).toBe(false);
  });

  it('accepts a token made under any of the keys it is given (a previous server secret’s)', () => {
    const previousKey = deriveKey('t'.repeat(40), 'csrf');
    expect(verifyCsrfToken([key, previousKey], session, csrfToken(previousKey, session))).toBe(true);
    expect(verifyCsrfToken([key, previousKey], session, csrfToken(key, session))).toBe(true);
    expect(verifyCsrfToken([key], session, csrfToken(previousKey, session))).toBe(false);
  });
});

describe('isSameOriginRequest', () => {
  const origin = 'https://tenant.example.com';

  it.each([
    [{ origin }, true],
    [{ origin, 'sec-fetch-site': 'same-origin' }, true],
    [{ origin, 'sec-fetch-site': 'none' }, true],
    [{ referer: `${origin}/dashboard/users` }, true],
    [{ referer: `${origin}/dashboard/users`, 'sec-fetch-site': 'same-origin' }, true],
    [{}, false],
    [{ 'sec-fetch-site': 'none' }, false],
    [{ 'sec-fetch-site': 'same-origin' }, false],
    [{ referer: 'https://evil.example/dashboard' }, false],
    [{ referer: 'https://tenant.example.com.evil.example/' }, false],
    [{ referer: 'not a url' }, false],
    [{ origin: 'https://evil.example', referer: `${origin}/dashboard/users` }, false],
    [{ origin: 'https://evil.example' }, false],
    [{ origin: 'null' }, false],
    [{ origin: 'http://tenant.example.com' }, false],
    [{ origin: 'https://tenant.example.com:8443' }, false],
    [{ origin, 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'same-site' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(isSameOriginRequest(headers, origin)).toBe(expected);
  });
});
