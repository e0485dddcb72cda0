import type { JWTPayload } from 'jose';
import type { User } from './user';
import { toUserView } from './user.view';

/** The scope values that add claims to an id_token (OIDC Core §5.4). */
export function scopeValues(scope: string | undefined): Set<string> {
  return new Set((scope ?? '').split(' ').filter(Boolean));
}

/**
 * The private claim naming the refresh token (its `dcr_…` credential id) an id_token or access token
 * came from, or was issued together with: such a token is refused wherever this service accepts it once
 * that credential is revoked (DESIGN guarantee 1).
 */
export const CREDENTIAL_CLAIM = 'credential_id';

/**
 * The claims of an id_token for `user`, by scope: `sub` and `scope` always (so that a renewal at
 * `/delegation` knows what the token was granted, and never widens it); `profile` adds name, nickname,
 * picture and updated_at; `email` adds email and email_verified; `credentialId` binds the token to the
 * refresh token it came from (`CREDENTIAL_CLAIM`). For a legacy client (`legacy`), Auth0's legacy
 * attribute scopes add to that (`legacyAttributeClaims`).
 */
export function idTokenClaims(
  user: User,
  scope: string,
  extra: {
    aud: string;
    azp: string;
    nonce?: string | null;
    authTime?: Date;
    credentialId?: string;
    legacy?: boolean;
  },
): JWTPayload {
  const scopes = scopeValues(scope);
  const claims: JWTPayload = { sub: user.userId, aud: extra.aud, azp: extra.azp, scope };
  if (extra.credentialId) claims[CREDENTIAL_CLAIM] = extra.credentialId;
  if (scopes.has('profile')) {
    claims.name = user.name;
    claims.nickname = user.nickname;
    if (user.picture) claims.picture = user.picture;
    claims.updated_at = user.updatedAt.toISOString();
  }
  if (scopes.has('email')) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified;
  }
  if (extra.nonce) claims.nonce = extra.nonce;
  if (extra.authTime) claims.auth_time = Math.floor(extra.authTime.getTime() / 1000);
  return extra.legacy ? { ...legacyAttributeClaims(user, scopes), ...claims } : claims;
}

// Claims a profile attribute or metadata key never replaces: the token's own, and those OIDC gives a meaning.
const RESERVED_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'azp',
  'exp',
  'iat',
  'nbf',
  'jti',
  'scope',
  'nonce',
  'auth_time',
  'at_hash',
  'c_hash',
  'cnf',
  'amr',
  'acr',
  CREDENTIAL_CLAIM,
]);

/**
 * Auth0's legacy scopes (before OIDC conformance): `openid profile` put every attribute of the user's
 * profile in the id_token, and `openid email nickname favorite_food` each named attribute the profile
 * has. The profile is the Management API's view of the user (`user_id`, `email`, `email_verified`,
 * `name`, `nickname`, `picture`, `identities`, `created_at`, `updated_at`, `last_login`, `logins_count`,
 * `user_metadata`, `app_metadata`; not `blocked`: a blocked user gets no token), and the keys of its
 * metadata, as the legacy profile carried them (a profile attribute first, then `app_metadata`, then
 * `user_metadata`, so a user cannot shadow what an administrator set).
 */
function legacyAttributeClaims(user: User, scopes: Set<string>): JWTPayload {
  const { blocked: _blocked, ...profile } = toUserView(user);
  const attributes: Record<string, unknown> = { ...user.userMetadata, ...user.appMetadata, ...profile };
  const named = scopes.has('profile') ? [...Object.keys(profile), ...scopes] : [...scopes];
  const claims: JWTPayload = {};
  for (const name of named) {
    if (RESERVED_CLAIMS.has(name) || !Object.hasOwn(attributes, name)) continue;
    claims[name] = attributes[name];
  }
  return claims;
}

/** The scope a presented token was issued with: its `scope` claim; only `openid` when it has none. */
export function presentedScope(claims: JWTPayload): string {
  return typeof claims.scope === 'string' && claims.scope.trim() ? claims.scope : 'openid';
}

/** The scope values of `scope` that `within` also has: what a token bound by both may carry. */
export function intersectScope(scope: string, within: string): string {
  const allowed = scopeValues(within);
  return [...scopeValues(scope)].filter((s) => allowed.has(s)).join(' ');
}

/**
 * The scope an exchange uses. `/delegation`'s `passthrough` (auth0.js v7) and an absent scope mean the
 * credential's own scope; a narrower scope is kept; scope values the credential was not granted are
 * dropped (RFC 6749 §6: an exchange cannot widen the grant).
 */
export function exchangeScope(requested: string | undefined, granted: string): string {
  if (!requested || requested === 'passthrough') return granted;
  return intersectScope(requested, granted);
}
