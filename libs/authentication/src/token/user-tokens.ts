import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { CommandBus } from '@nestjs/cqrs';
import { IdTokenProvenance, IssueCredential, newCredentialId } from '@libs/credentials';
import {
  CREDENTIAL_CLAIM,
  IdTokenKeys,
  idTokenClaims,
  isLegacyClient,
  scopeValues,
  type Client,
  type User,
} from '@libs/tenants';
import type { IssuingGrant } from '@libs/domain';
import type { WriteContext } from '@libs/event-store';
import { TokenSigner } from '@libs/jwt';
import { InvalidRequest } from '@libs/platform';
import { DpopProofError } from '@libs/security';

/** Access tokens for users live a day, like Auth0's default API token lifetime. */
export const USER_ACCESS_TOKEN_LIFETIME_SECONDS = 86_400;

/**
 * Where a token request is written from: its correlation id, the caller's address and, when it carried
 * a valid DPoP proof (RFC 9449), the proof key's thumbprint — the tokens issued are bound to that key.
 */
export type TokenContext = WriteContext & { ip: string; jkt?: string };

/** `token_type` of tokens bound to a DPoP key (RFC 9449 §5), or of plain bearer tokens. */
export const tokenTypeOf = (jkt: string | undefined) => (jkt === undefined ? 'Bearer' : 'DPoP');

/** The token endpoint's successful response body (RFC 6749 §5.1 + OIDC's id_token). */
export interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
}

/** What `UserTokens.issue` made: the response to send, and the credential id for the caller's own use. */
export interface IssuedTokens {
  response: TokenResponse;
  credentialId?: string;
}

export interface UserTokenRequest {
  client: Client;
  user: User;
  scope: string;
  device?: string | null;
  nonce?: string | null;
  authTime?: Date;
  grant: IssuingGrant;
  credentialId?: string;
}

/**
 * Auth0's `require_proof_of_possession`: such a client's user tokens are DPoP-bound, or not issued
 * (RFC 9449; issue 19 finding 7). Every endpoint asks before its grant does any work; `UserTokens` asks
 * again before it signs, so no path can mint a bearer token for such a client.
 */
export function assertProofOfPossession(client: Client, jkt: string | undefined): void {
  if (client.requireProofOfPossession && jkt === undefined) {
    throw new DpopProofError('This client requires a DPoP proof (RFC 9449) with every token request.');
  }
}

/** The device name is required with offline_access (Auth0's legacy model: a token per device). */
export function assertDeviceForOfflineAccess(scope: string, device: string | null | undefined): void {
  if (scopeValues(scope).has('offline_access') && !device?.trim()) {
    throw new InvalidRequest('The device parameter is required when requesting offline_access.');
  }
}

/**
 * Builds the tokens of an interactive or password login: an access token for /userinfo, an id_token
 * when `openid` was asked for, and a refresh token — recorded as `TokenIssued` before it is returned —
 * when `offline_access` was granted for a named device and the client may use refresh tokens.
 */
@Injectable()
export class UserTokens {
  constructor(
    private readonly signer: TokenSigner,
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly idTokenKeys: IdTokenKeys,
    private readonly provenance: IdTokenProvenance,
  ) {}

  /**
   * An access token for `/userinfo` (RFC 9068 `at+jwt`), the same for every grant that issues one; bound
   * to the refresh token it came from or was issued with (`credentialId`), refused once that is revoked.
   */
  async accessToken(
    user: User,
    client: Client,
    scope: string,
    credentialId?: string,
    jkt?: string,
  ): Promise<string> {
    assertProofOfPossession(client, jkt);
    const claims = {
      sub: user.userId,
      aud: `${this.config.publicUrl}/userinfo`,
      azp: client.clientId,
      scope,
      // RFC 9449 §6: a DPoP-bound access token names its key.
      ...(jkt === undefined ? {} : { cnf: { jkt } }),
    };
    const signed = await this.signer.sign(
      credentialId ? { ...claims, [CREDENTIAL_CLAIM]: credentialId } : claims,
      { alg: 'RS256', lifetimeSeconds: USER_ACCESS_TOKEN_LIFETIME_SECONDS, typ: 'at+jwt' },
    );
    return signed.token;
  }

  /**
   * The wire response, and apart from it the id of the credential the refresh token was recorded under:
   * the response holds OAuth members only (RFC 6749 §5.1), never internal ids.
   */
  async issue(request: UserTokenRequest, context: WriteContext & { jkt?: string }): Promise<IssuedTokens> {
    const { client, user, scope } = request;
    const scopes = scopeValues(scope);
    const withRefreshToken =
      scopes.has('offline_access') && request.device && client.grantTypes.includes('refresh_token');
    // The credential id is chosen first, so that the tokens issued with the refresh token name it.
    const credentialId = withRefreshToken ? (request.credentialId ?? newCredentialId()) : undefined;
    const response: TokenResponse = {
      access_token: await this.accessToken(user, client, scope, credentialId, context.jkt),
      token_type: tokenTypeOf(context.jkt),
      expires_in: USER_ACCESS_TOKEN_LIFETIME_SECONDS,
      scope,
    };
    if (scopes.has('openid')) {
      const idToken = await this.signer.sign(
        idTokenClaims(user, scope, {
          aud: client.clientId,
          azp: client.clientId,
          nonce: request.nonce,
          authTime: request.authTime,
          credentialId,
          legacy: isLegacyClient(client),
        }),
        this.idTokenKeys.signOptions(client),
      );
      // An HS256 id_token bound to no credential is believed later only by its recorded jti (issue 19 finding 9).
      await this.provenance.recordSigned(idToken, client, user.userId, credentialId && client.clientId);
      response.id_token = idToken.token;
    }
    if (withRefreshToken && request.device) {
      const issued = await this.commands.execute(
        new IssueCredential(
          {
            userId: user.userId,
            clientId: client.clientId,
            deviceName: request.device,
            scope,
            grant: request.grant,
            credentialId,
            policy: client.refreshToken,
            jkt: context.jkt,
          },
          context,
        ),
      );
      response.refresh_token = issued.refreshToken;
      return { response, credentialId: issued.credentialId };
    }
    return { response };
  }
}
