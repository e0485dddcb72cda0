import { constantTimeEqual, keyedHash } from '@libs/security';

/** What a CSRF token is bound to: the session (once logged in) or the login form's own cookie. */
export type CsrfBinding = { session: string } | { loginForm: string };

// The 'csrf' key is shared with /authorize's login state; a prefix keeps the dashboard's tokens apart.
const subject = (binding: CsrfBinding) =>
  'session' in binding ? `dashboard-session:${binding.session}` : `dashboard-login:${binding.loginForm}`;

/**
 * The CSRF token a form carries in a hidden field: HMAC-SHA-256 of the session's cookie value under the
 * CSRF key (OWASP CSRF cheat sheet, "signed double-submit"). Another site can neither read it from our
 * pages nor compute it without the server's key, and it changes with every session.
 *
 * @example
 * csrfToken(keys.key('csrf'), { session: cookieValue });
 */
export function csrfToken(key: Buffer, binding: CsrfBinding): string {
  return keyedHash(key, subject(binding));
}

/**
 * Whether a posted `csrf_token` is the one `binding` gives under one of `keys` (the current server
 * secret's, or a previous one's for a page served before a rotation), compared in constant time.
 *
 * @example
 * verifyCsrfToken(keys.acceptedKeys('csrf').map(({ key }) => key), { session: cookieValue }, body.csrf_token);
 */
export function verifyCsrfToken(keys: readonly Buffer[], binding: CsrfBinding, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  return keys.some((key) => constantTimeEqual(csrfToken(key, binding), presented));
}

/**
 * Whether a state-changing request comes from our own pages, by the headers browsers set and pages cannot
 * forge (OWASP CSRF cheat sheet, "verifying origin with standard headers"): `Sec-Fetch-Site` (when sent)
 * must say same-origin or a user-typed navigation; `Origin` must be the dashboard's origin, or, when a
 * browser sent none, the `Referer` must be on it. A request with neither is refused: every browser sends
 * `Origin` on a form post (the pages' `same-origin` Referrer-Policy keeps it from being `null`), so only a
 * stripped or hand-made request lacks both. The CSRF token is checked besides.
 */
export function isSameOriginRequest(
  headers: { origin?: string | string[]; referer?: string | string[]; 'sec-fetch-site'?: string | string[] },
  origin: string,
): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  if (headers.origin !== undefined) return headers.origin === origin;
  return typeof headers.referer === 'string' && originOf(headers.referer) === origin;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
