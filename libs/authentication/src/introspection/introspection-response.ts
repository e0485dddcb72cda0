import type { JWTPayload } from 'jose';
import { usableUntil } from '@libs/domain';
import type { ActiveCredential } from '@libs/credentials';
import { CREDENTIAL_CLAIM } from '@libs/tenants';
import { tokenTypeOf } from '../token/user-tokens';

/** RFC 7662 §2.2 for a token in force: what it grants, to whom, until when. */
export interface ActiveIntrospection {
  active: true;
  scope: string;
  client_id: string;
  sub: string;
  /** An access token's type (RFC 6749 §5.1, RFC 9449 §6.2); `refresh_token` for a refresh token. */
  token_type: 'Bearer' | 'DPoP' | 'refresh_token';
  /** Absent for a refresh token that only a revocation ends. */
  exp?: number;
  iat: number;
  iss: string;
  /** Access tokens only: refresh tokens here are bound to no API. */
  aud?: string | string[];
  jti?: string;
  /** RFC 9449 §6.2: the DPoP key the token is bound to. */
  cnf?: { jkt: string };
  /** The refresh token's device credential (`dcr_…`, as the Management API names it), when there is one. */
  device_credential_id?: string;
}

/** RFC 7662 §2.2: every token not in force, whatever the reason, gets this and nothing else. */
export type InactiveIntrospection = { readonly active: false };

export type IntrospectionResponse = ActiveIntrospection | InactiveIntrospection;

export const INACTIVE: InactiveIntrospection = Object.freeze({ active: false });

const seconds = (instant: Date | string) => Math.floor(new Date(instant).getTime() / 1000);

/**
 * A refresh token in force, presented as `tokenHash`: its credential's scope, client and user, its `exp`
 * the decider's `usableUntil` (the family's absolute or idle end, a retired token's leeway end), its `iat`
 * the family's issuance (the login; the state does not keep when each rotated token was issued).
 */
export function refreshTokenIntrospection(
  credential: ActiveCredential,
  tokenHash: string,
  issuer: string,
): ActiveIntrospection {
  const end = usableUntil(credential, tokenHash);
  return {
    active: true,
    scope: credential.scope,
    client_id: credential.clientId,
    sub: credential.userId,
    token_type: 'refresh_token',
    ...(end === null ? {} : { exp: seconds(end) }),
    iat: seconds(credential.issuedAt),
    iss: issuer,
    ...(credential.jkt === null ? {} : { cnf: { jkt: credential.jkt } }),
    device_credential_id: credential.credentialId,
  };
}

/**
 * An access token in force, from its verified claims (`UserTokens.accessToken` wrote them: `azp` is its
 * client, `cnf.jkt` its DPoP key, `CREDENTIAL_CLAIM` the refresh token it is bound to).
 */
export function accessTokenIntrospection(claims: JWTPayload): ActiveIntrospection {
  const jkt = jktOf(claims.cnf);
  const credentialId = claims[CREDENTIAL_CLAIM];
  return {
    active: true,
    scope: typeof claims.scope === 'string' ? claims.scope : '',
    client_id: String(claims.azp),
    sub: String(claims.sub),
    token_type: tokenTypeOf(jkt),
    exp: claims.exp!,
    iat: claims.iat!,
    iss: String(claims.iss),
    aud: claims.aud!,
    ...(claims.jti === undefined ? {} : { jti: claims.jti }),
    ...(jkt === undefined ? {} : { cnf: { jkt } }),
    ...(typeof credentialId === 'string' ? { device_credential_id: credentialId } : {}),
  };
}

function jktOf(cnf: unknown): string | undefined {
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const { jkt } = cnf as { jkt?: unknown };
  return typeof jkt === 'string' ? jkt : undefined;
}
