import type { CookieOptions } from 'express';
import { LOGIN_STATE_TTL_SECONDS } from './login-state';

/** The CSRF cookie's name and attributes for this tenant. */
export interface CsrfCookie {
  name: string;
  options: CookieOptions;
}

// randomToken(32): 256 bits, base64url. Anything else in the cookie was not set by us.
const CSRF_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Whether a value has the shape of a CSRF token this service issues. */
export function isCsrfToken(value: unknown): value is string {
  return typeof value === 'string' && CSRF_TOKEN.test(value);
}

/**
 * The CSRF cookie for the public URL: HttpOnly (no script needs it), SameSite=Lax (a cross-site form post
 * carries no cookie), scoped to the browser-visible `/authorize` path, Secure and `__Secure-` prefixed
 * when the tenant is served over https.
 */
export function csrfCookie(publicUrl: string): CsrfCookie {
  const url = new URL(publicUrl);
  const secure = url.protocol === 'https:';
  return {
    name: secure ? '__Secure-authorize_csrf' : 'authorize_csrf',
    options: {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: authorizePath(publicUrl),
      maxAge: LOGIN_STATE_TTL_SECONDS * 1000,
    },
  };
}

/** The browser-visible path of /authorize: the public URL's own path (behind a proxy) + `/authorize`. */
export function authorizePath(publicUrl: string): string {
  return `${new URL(publicUrl).pathname.replace(/\/+$/, '')}/authorize`;
}

/** The first value of the named cookie in a `Cookie` header, or `null`. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    try {
      return decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}
