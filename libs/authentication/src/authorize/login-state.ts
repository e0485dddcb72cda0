import { constantTimeEqual, keyedHash } from '@libs/security';
import type { AuthorizeRequest } from './authorize-request';

/** How long a login page stays usable (the same bound RFC 6749 §4.1.2 suggests for codes). */
export const LOGIN_STATE_TTL_SECONDS = 600;

const VERSION = 'v1';

/** Why a sealed login state was refused; every reason is answered the same way (403). */
export type LoginStateRefusal = 'malformed' | 'tampered' | 'expired';

/** The outcome of opening a sealed login state. */
export type UnsealedLoginState =
  | { ok: true; request: AuthorizeRequest; expiresAt: Date }
  | { ok: false; reason: LoginStateRefusal };

interface Payload {
  request: AuthorizeRequest;
  /** Expiry, epoch seconds. */
  exp: number;
}

// The purpose label keeps this MAC from ever verifying a value made for another use of the same key;
// the CSRF token is MACed but not carried, so a state only opens with the cookie it was issued beside.
const mac = (key: Buffer, payload: string, csrfToken: string) =>
  keyedHash(key, `authorize-login-state.${VERSION}\n${payload}\n${csrfToken}`);

/**
 * Seals an accepted /authorize request for the login form's hidden field: readable, but any change, another
 * CSRF token or the passing of `LOGIN_STATE_TTL_SECONDS` makes `unsealLoginState` refuse it.
 *
 * @example
 * const sealed = sealLoginState(request, csrfToken, keys.key('csrf'), new Date());
 */
export function sealLoginState(request: AuthorizeRequest, csrfToken: string, key: Buffer, now: Date): string {
  const payload: Payload = { request, exp: Math.floor(now.getTime() / 1000) + LOGIN_STATE_TTL_SECONDS };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${VERSION}.${encoded}.${mac(key, encoded, csrfToken)}`;
}

/**
 * Opens a sealed login state: the MAC is checked in constant time before anything is parsed, then expiry.
 *
 * @example
 * const opened = unsealLoginState(body.login_state, cookieToken, keys.key('csrf'), new Date());
 * if (!opened.ok) return forbidden();
 */
export function unsealLoginState(
  sealed: string,
  csrfToken: string,
  key: Buffer,
  now: Date,
): UnsealedLoginState {
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, encoded, tag] = parts;
  if (!constantTimeEqual(mac(key, encoded, csrfToken), tag)) return { ok: false, reason: 'tampered' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isPayload(payload)) return { ok: false, reason: 'malformed' };
  const expiresAt = new Date(payload.exp * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, request: payload.request, expiresAt };
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isTextOrNull = (value: unknown) => value === null || isText(value);

// The MAC proves we wrote the payload, but a payload from another release could still have another shape.
function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const { request, exp } = value as Partial<Payload>;
  if (typeof exp !== 'number' || typeof request !== 'object' || request === null) return false;
  return (
    isText(request.clientId) &&
    isText(request.redirectUri) &&
    isText(request.scope) &&
    isTextOrNull(request.state) &&
    isTextOrNull(request.nonce) &&
    isTextOrNull(request.device) &&
    isTextOrNull(request.codeChallenge) &&
    (request.codeChallengeMethod === null || request.codeChallengeMethod === 'S256')
  );
}
