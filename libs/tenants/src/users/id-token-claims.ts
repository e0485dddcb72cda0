import type { JWTPayload } from 'jose';
import type { User } from './user';

/** The scope values that add claims to an id_token (OIDC Core §5.4). */
export function scopeValues(scope: string | undefined): Set<string> {
  return new Set((scope ?? '').split(' ').filter(Boolean));
}

/**
 * The claims of an id_token for `user`, by scope: `sub` always; `profile` adds name, nickname, picture
 * and updated_at; `email` adds email and email_verified.
 */
export function idTokenClaims(
  user: User,
  scope: string,
  extra: { aud: string; azp: string; nonce?: string | null; authTime?: Date },
): JWTPayload {
  const scopes = scopeValues(scope);
  const claims: JWTPayload = { sub: user.userId, aud: extra.aud, azp: extra.azp };
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
  return claims;
}

/**
 * The scope an exchange uses. `/delegation`'s `passthrough` (auth0.js v7) and an absent scope mean the
 * credential's own scope; a narrower scope is kept; scope values the credential was not granted are
 * dropped (RFC 6749 §6: an exchange cannot widen the grant).
 */
export function exchangeScope(requested: string | undefined, granted: string): string {
  if (!requested || requested === 'passthrough') return granted;
  const allowed = scopeValues(granted);
  return [...scopeValues(requested)].filter((s) => allowed.has(s)).join(' ');
}
