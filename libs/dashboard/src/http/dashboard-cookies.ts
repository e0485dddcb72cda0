import type { CookieOptions } from 'express';
import { SESSION_TTL_SECONDS } from '../sessions/session-token';
import type { DashboardPaths } from './dashboard-paths';

/** A cookie's name and attributes. */
export interface CookieSpec {
  name: string;
  options: CookieOptions;
}

/** How long a login form stays usable: a page left open over lunch still logs in. */
export const LOGIN_FORM_TTL_SECONDS = 60 * 60;

/**
 * The dashboard's cookies: HttpOnly (no script reads them; the pages have none), SameSite=Strict (no other
 * site's link or form carries them), scoped to the dashboard's path, Secure and `__Secure-` prefixed when
 * the tenant is served over https (plain-http development would otherwise drop them).
 */
export function dashboardCookies(paths: DashboardPaths): { session: CookieSpec; loginForm: CookieSpec } {
  const prefix = paths.secure ? '__Secure-' : '';
  const options = (maxAgeSeconds: number): CookieOptions => ({
    httpOnly: true,
    sameSite: 'strict',
    secure: paths.secure,
    path: paths.base,
    maxAge: maxAgeSeconds * 1000,
  });
  return {
    session: { name: `${prefix}dashboard_session`, options: options(SESSION_TTL_SECONDS) },
    loginForm: { name: `${prefix}dashboard_login`, options: options(LOGIN_FORM_TTL_SECONDS) },
  };
}

/** The attributes that clear a cookie set with `spec` (the same path and flags, no lifetime). */
export function clearingOptions(spec: CookieSpec): CookieOptions {
  const { maxAge: _maxAge, ...options } = spec.options;
  return options;
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
