import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { CommandBus } from '@nestjs/cqrs';
import { IssueCredential } from '@libs/credentials';
import { type Client, idTokenClaims, scopeValues, type User } from '@libs/tenants';
import type { IssuingGrant } from '@libs/domain';
import type { WriteContext } from '@libs/event-store';
import { TokenSigner } from '@libs/jwt';
import { InvalidRequest } from '@libs/platform';

/** Access tokens for users live a day, like Auth0's default API token lifetime. */
export const USER_ACCESS_TOKEN_LIFETIME_SECONDS = 86_400;

/** The token endpoint's successful response body (RFC 6749 §5.1 + OIDC's id_token). */
export interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
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
  ) {}

  /** An access token for `/userinfo` (RFC 9068 `at+jwt`), the same for every grant that issues one. */
  async accessToken(user: User, client: Client, scope: string): Promise<string> {
    const signed = await this.signer.sign(
      { sub: user.userId, aud: `${this.config.publicUrl}/userinfo`, azp: client.clientId, scope },
      { alg: 'RS256', lifetimeSeconds: USER_ACCESS_TOKEN_LIFETIME_SECONDS, typ: 'at+jwt' },
    );
    return signed.token;
  }

  async issue(
    request: UserTokenRequest,
    context: WriteContext,
  ): Promise<TokenResponse & { credentialId?: string }> {
    const { client, user, scope } = request;
    const scopes = scopeValues(scope);
    const response: TokenResponse & { credentialId?: string } = {
      access_token: await this.accessToken(user, client, scope),
      token_type: 'Bearer',
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
        }),
        { alg: client.idTokenAlg, lifetimeSeconds: client.idTokenLifetimeSeconds },
      );
      response.id_token = idToken.token;
    }
    if (scopes.has('offline_access') && request.device && client.grantTypes.includes('refresh_token')) {
      const issued = await this.commands.execute(
        new IssueCredential(
          {
            userId: user.userId,
            clientId: client.clientId,
            deviceName: request.device,
            scope,
            grant: request.grant,
            credentialId: request.credentialId,
          },
          context,
        ),
      );
      response.refresh_token = issued.refreshToken;
      response.credentialId = issued.credentialId;
    }
    return response;
  }
}
