import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { refusalOf } from '@libs/domain';
import { CredentialResolver, RateLimited } from '@libs/credentials';
import { issuerFor } from '@libs/jwt';
import { FailedLookupLimiter, LimitStore } from '@libs/security';
import { UserRepository } from '@libs/tenants';
import { UserAccessTokenVerifier } from '../token/user-access-token.verifier';
import {
  accessTokenIntrospection,
  INACTIVE,
  refreshTokenIntrospection,
  type IntrospectionResponse,
} from './introspection-response';

export type TokenKind = 'refresh_token' | 'access_token';

/**
 * RFC 7662 for the tokens this tenant issues, as seen by the client they were issued to. A read: nothing
 * is recorded, so a retired rotating token introspected after its leeway is answered inactive without
 * revoking its family — only an exchange records a reuse or an expiry.
 *
 * Behind the exchange's failed-lookup budget (same counters, issue 19 finding 1): a token that names no
 * credential of the client counts against the address and the client; past the limit nothing is looked
 * up and the request is refused (`RateLimited`).
 */
@Injectable()
export class TokenIntrospection {
  private readonly issuer: string;
  private readonly failures: FailedLookupLimiter;

  constructor(
    private readonly credentials: CredentialResolver,
    private readonly users: UserRepository,
    private readonly accessTokens: UserAccessTokenVerifier,
    config: AppConfig,
    limits: LimitStore,
  ) {
    this.issuer = issuerFor(config);
    this.failures = new FailedLookupLimiter(config.rateLimits.failuresPerMinute, limits);
  }

  /**
   * What `token` is for `clientId`, asking from `ip`, now. `hint` orders the look-ups only (§2.1: a token
   * not found as that kind is looked up as the other); without one, a JWT is tried as an access token first.
   */
  async introspect(
    token: string,
    clientId: string,
    hint?: TokenKind,
    ip = 'unknown',
  ): Promise<IntrospectionResponse> {
    const limited = await this.failures.refusal(ip, clientId);
    if (limited) throw new RateLimited(limited);
    const first = hint ?? (token.includes('.') ? 'access_token' : 'refresh_token');
    const kinds: TokenKind[] =
      first === 'access_token' ? ['access_token', 'refresh_token'] : ['refresh_token', 'access_token'];
    for (const kind of kinds) {
      const answer =
        kind === 'refresh_token'
          ? await this.refreshToken(token, clientId, ip)
          : await this.accessToken(token, clientId);
      if (answer) return answer;
    }
    // Neither a refresh token of this tenant nor an access token in force issued to the client.
    await this.failures.recordFailure(ip, clientId);
    return INACTIVE;
  }

  /**
   * A refresh token of this tenant, active exactly when the exchange would accept it now (`refusalOf` with
   * the presentation: revoked, expired, reused, another client's, a blocked or deleted user), the user
   * read as the exchange reads it; null when no credential has this token.
   */
  private async refreshToken(
    token: string,
    clientId: string,
    ip: string,
  ): Promise<IntrospectionResponse | null> {
    const stream = await this.credentials.byRefreshToken(token);
    if (!stream) return null;
    const { state, owner, tokenHash, retiredAt } = stream;
    // Another client's token names nothing of this one: a failed look-up, as at the exchange.
    if (state.status === 'none' || state.clientId !== clientId) {
      await this.failures.recordFailure(ip, clientId);
      return INACTIVE;
    }
    // The credential's own rules first: its user is read only for a token this client may use.
    if (refusalOf(state, clientId) !== null) return INACTIVE;
    const user = owner === undefined ? await this.users.findById(state.userId) : owner;
    if (refusalOf(state, clientId, user, { tokenHash, retiredAt, now: new Date() }) !== null) return INACTIVE;
    return refreshTokenIntrospection(state, tokenHash!, this.issuer);
  }

  /** An access token in force issued to `clientId` (the check `/userinfo` makes); null otherwise. */
  private async accessToken(token: string, clientId: string): Promise<IntrospectionResponse | null> {
    const inForce = await this.accessTokens.inForce(token, clientId);
    return inForce && accessTokenIntrospection(inForce.claims);
  }
}
