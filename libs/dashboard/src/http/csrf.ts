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

/** Whether a posted `csrf_token` is the one `binding` gives, compared in constant time. */
export function verifyCsrfToken(key: Buffer, binding: CsrfBinding, presented: unknown): boolean {
  return typeof presented === 'string' && constantTimeEqual(csrfToken(key, binding), presented);
}

/**
 * Whether a state-changing request comes from our own pages, by the headers browsers set and pages cannot
 * forge: `Origin` (when sent) must be the dashboard's origin, and `Sec-Fetch-Site` (when sent) must say
 * same-origin or a user-typed navigation. Non-browser callers send neither; the CSRF token still applies.
 */
export function isSameOriginRequest(
  headers: { origin?: string | string[]; 'sec-fetch-site'?: string | string[] },
  origin: string,
): boolean {
  const from = headers.origin;
  if (from !== undefined && from !== origin) return false;
  const site = headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}
