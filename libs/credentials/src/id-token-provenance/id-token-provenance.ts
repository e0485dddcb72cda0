import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader, type JWTPayload } from 'jose';
import { refusalOf } from '@libs/domain';
import type { SignedToken } from '@libs/jwt';
import { CREDENTIAL_CLAIM, type Client } from '@libs/tenants';
import { CredentialResolver } from '../credential-resolver';
import { IssuedIdTokens } from './issued-id-tokens';

/**
 * Whether an id_token came from this service (issue 19 finding 9). An HS256 id_token is signed with its
 * client's secret, which the client holds too: whoever has the secret can sign one for any `sub` that
 * verifies like ours. So a signature proves origin only for the tenant's own keys (RS256/ES256); an HS256
 * token is believed when the service holds evidence of it — the credential it is bound to
 * (`CREDENTIAL_CLAIM`, a credential of its audience and user, in force: a token about a user who never
 * gave that client a refresh token cannot be bound to one), or else its `jti`, recorded when it was signed
 * (`IssuedIdTokens`). Only HS256 tokens bound to no credential of their audience are recorded: logins
 * without `offline_access`, their renewals, and delegations to another HS256 target.
 *
 * @example
 * await provenance.recordSigned(signed, target, user.userId, credential?.clientId);
 * if (!(await provenance.isRecorded(idToken, claims, client.clientId))) refuse();
 */
@Injectable()
export class IdTokenProvenance {
  constructor(
    private readonly issued: IssuedIdTokens,
    private readonly resolver: CredentialResolver,
  ) {}

  /**
   * Records a just-signed id_token for `audience` (its `aud`) when only its jti can show later where it
   * came from: HS256 and not bound to a credential of `audience` (`boundTo`: the bound credential's
   * client). Awaited before the token is returned, so no token leaves unrecorded.
   */
  async recordSigned(signed: SignedToken, audience: Client, userId: string, boundTo?: string): Promise<void> {
    if (audience.idTokenAlg !== 'HS256' || boundTo === audience.clientId) return;
    await this.issued.record(signed, audience.clientId, userId);
  }

  /**
   * Whether an id_token verified for `audience`, and not bound to a credential of it, is one this service
   * signed: always for the tenant's keys; for HS256 when its jti was recorded for that audience and `sub`.
   */
  async isRecorded(token: string, claims: JWTPayload, audience: string): Promise<boolean> {
    if (!signedWithSharedSecret(token)) return true;
    if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return false;
    return this.issued.isRecorded(claims.jti, audience, claims.sub);
  }

  /**
   * `/tokeninfo`'s rule for an id_token verified for `audience`: bound to a credential, that credential is
   * of the token's user and of the client it was issued to (`azp`), neither revoked nor expired (DESIGN
   * guarantee 1), and — when it is not `audience`'s own (a delegation to another target) — recorded;
   * bound to none, recorded.
   */
  async inForce(token: string, claims: JWTPayload, audience: string): Promise<boolean> {
    const credentialId = claims[CREDENTIAL_CLAIM];
    if (credentialId === undefined) return this.isRecorded(token, claims, audience);
    if (typeof credentialId !== 'string' || credentialId.includes('\u0000') || typeof claims.azp !== 'string')
      return false;
    const { state } = await this.resolver.byId(credentialId);
    if (state.status === 'none' || state.userId !== claims.sub) return false;
    if (refusalOf(state, claims.azp, undefined, { now: new Date() })) return false;
    return state.clientId === audience || this.isRecorded(token, claims, audience);
  }
}

/** True for a token whose header says HS256: verified, that means with its audience's client secret. */
function signedWithSharedSecret(token: string): boolean {
  try {
    return decodeProtectedHeader(token).alg === 'HS256';
  } catch {
    return true;
  }
}
