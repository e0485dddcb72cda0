import { redirectTo } from './authorization-response';
import { authorizePath, csrfCookie, isCsrfToken, readCookie } from './csrf-cookie';
import { formActionSource, pageHeaders } from './page-headers';

describe('redirects to the callback', () => {
  it('appends code and state and keeps the callback query as it was (RFC 6749 §3.1.2)', () => {
    expect(redirectTo('https://app.example.com/cb?tenant=a%20b&x=~y', { code: 'c1', state: 's 1&2' })).toBe(
      'https://app.example.com/cb?tenant=a%20b&x=~y&code=c1&state=s+1%262',
    );
  });

  it('works for native apps with private-use URI schemes (RFC 8252 §7.1)', () => {
    expect(redirectTo('com.example.app://callback', { code: 'c1', state: null })).toBe(
      'com.example.app://callback?code=c1',
    );
    expect(redirectTo('com.example.app:/oauth2redirect', { error: 'login_required', state: 'x' })).toBe(
      'com.example.app:/oauth2redirect?error=login_required&state=x',
    );
  });

  it('leaves out parameters without a value', () => {
    expect(redirectTo('https://app.example.com/cb', { code: 'c', state: null })).toBe(
      'https://app.example.com/cb?code=c',
    );
  });
});

describe('login page policy', () => {
  it("lets the form's redirect reach the callback origin or the native app's scheme, and nothing else", () => {
    expect(formActionSource('https://app.example.com:8443/cb?x=1')).toBe('https://app.example.com:8443');
    expect(formActionSource('http://127.0.0.1:51004/callback')).toBe('http://127.0.0.1:51004');
    expect(formActionSource('com.example.app://callback')).toBe('com.example.app:');
    expect(formActionSource('not a url')).toBeNull();
    expect(formActionSource('https://a;b.example/cb')).toBeNull();
  });

  it('sends a strict CSP, no framing, no referrer, no caching, no sniffing', () => {
    const headers = pageHeaders('abc', ['https://app.example.com']);
    expect(headers['Content-Security-Policy']).toBe(
      "default-src 'none'; style-src 'nonce-abc'; form-action 'self' https://app.example.com; " +
        "frame-ancestors 'none'; base-uri 'none'",
    );
    expect(headers).toMatchObject({
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });
});

describe('the CSRF cookie', () => {
  it('is HttpOnly, SameSite=Lax, scoped to /authorize, and Secure with a __Secure- name over https', () => {
    expect(csrfCookie('https://tenant.example.com')).toEqual({
      name: '__Secure-authorize_csrf',
      options: { httpOnly: true, sameSite: 'lax', secure: true, path: '/authorize', maxAge: 600_000 },
    });
    expect(csrfCookie('http://localhost:3000')).toMatchObject({
      name: 'authorize_csrf',
      options: { secure: false, path: '/authorize' },
    });
  });

  it('follows the path of a public URL served behind a prefix', () => {
    expect(authorizePath('https://example.com/tenant-a/')).toBe('/tenant-a/authorize');
  });

  it('is read from the Cookie header by exact name', () => {
    const header = 'x_authorize_csrf=nope; authorize_csrf=abc%2Dd; other=1';
    expect(readCookie(header, 'authorize_csrf')).toBe('abc-d');
    expect(readCookie(header, 'missing')).toBeNull();
    expect(readCookie(undefined, 'authorize_csrf')).toBeNull();
    expect(readCookie('authorize_csrf=%E0%A4%A', 'authorize_csrf')).toBeNull();
  });

  it('only accepts values shaped like the tokens it issues', () => {
    expect(isCsrfToken('A'.repeat(43))).toBe(true);
    expect(isCsrfToken('A'.repeat(42))).toBe(false);
    expect(isCsrfToken('A'.repeat(42) + '=')).toBe(false);
    expect(isCsrfToken(undefined)).toBe(false);
  });
});
