import { Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { AppConfig } from '@libs/config';
import { CredentialResolver } from '@libs/credentials';
import { TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { CREDENTIAL_CLAIM, UserRepository, type User } from '@libs/tenants';

/** An access token in force: its verified claims and the user it speaks for. */
export interface AccessTokenInForce {
  claims: JWTPayload;
  user: User;
}

/**
 * The one check of the access tokens `UserTokens.accessToken` signs, for `/userinfo` and introspection
 * alike: signed by this tenant for `<PUBLIC_URL>/userinfo` (`at+jwt`) and not expired; when bound to a
 * refresh token (`CREDENTIAL_CLAIM`), that credential is neither revoked nor expired nor another client's —
 * resolved on the view and the events it has not applied, as the exchange does (ADR 0008) — and its user is
 * neither blocked nor deleted.
 */
@Injectable()
export class UserAccessTokenVerifier {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly users: UserRepository,
    private readonly credentials: CredentialResolver,
    private readonly config: AppConfig,
  ) {}

  /**
   * The token's claims and user when it is in force, else null. With `issuedTo`, a token issued to
   * another client (`azp`) is not in force either, decided before anything is read.
   */
  async inForce(token: string, issuedTo?: string): Promise<AccessTokenInForce | null> {
    let claims: JWTPayload;
    try {
      claims = await this.verifier.verify(token, {
        audience: `${this.config.publicUrl}/userinfo`,
        typ: 'at+jwt',
      });
    } catch (error) {
      if (error instanceof TokenVerificationError) return null;
      throw error;
    }
    if (issuedTo !== undefined && claims.azp !== issuedTo) return null;
    const credentialId = claims[CREDENTIAL_CLAIM];
    if (credentialId !== undefined) {
      if (typeof credentialId !== 'string' || typeof claims.azp !== 'string') return null;
      if (await this.credentials.refusalById(credentialId, claims.azp)) return null;
    }
    const user = claims.sub ? await this.users.findById(claims.sub) : null;
    if (!user || user.blocked) return null;
    return { claims, user };
  }
}
