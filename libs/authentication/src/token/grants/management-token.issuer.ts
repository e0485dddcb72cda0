import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { TokenSigner } from '@libs/jwt';
import { AccessDenied, UnauthorizedClient } from '@libs/platform';
import {
  ACCESS_TOKEN_TYP,
  isManagementScope,
  managementAudience,
  parseScope,
  type Client,
} from '@libs/tenants';

/** Lifetime of Management API access tokens: Auth0's default of 24 hours. */
export const MANAGEMENT_TOKEN_LIFETIME_SECONDS = 86_400;

/** The `/oauth/token` response of a client_credentials grant for the Management API. */
export interface ManagementAccessToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * The scopes a Management API token gets: the requested ones (all granted ones when none are requested),
 * in the order they were granted. Refuses a client without the client_credentials grant
 * (`unauthorized_client`) and a request for a scope the client was not granted (`access_denied`).
 */
export function grantedManagementScopes(client: Client, requestedScope?: string): string[] {
  if (!client.grantTypes.includes('client_credentials')) {
    throw new UnauthorizedClient(`Grant type 'client_credentials' not allowed for the client.`);
  }
  const granted = client.managementScopes.filter(isManagementScope);
  if (granted.length === 0) {
    throw new AccessDenied(
      'Client is not authorized to access the Management API. Grant it Management API scopes first.',
    );
  }
  const requested = parseScope(requestedScope);
  if (requested.length === 0) return granted;
  const held = new Set<string>(granted);
  const lacking = requested.filter((scope) => !held.has(scope));
  if (lacking.length > 0) {
    throw new AccessDenied(`Client has not been granted scopes: ${lacking.join(', ')}`);
  }
  return granted.filter((scope) => requested.includes(scope));
}

/**
 * Issues Management API access tokens for the client_credentials grant; `/oauth/token` authenticates the
 * client first, then calls `issue`; a refusal is an OAuth error (403 `access_denied`, `unauthorized_client`).
 */
@Injectable()
export class ManagementTokenIssuer {
  constructor(
    private readonly signer: TokenSigner,
    private readonly config: AppConfig,
  ) {}

  /** Signs a token (RS256) for `client` with the requested subset of its granted Management API scopes. */
  async issue(client: Client, requestedScope?: string): Promise<ManagementAccessToken> {
    const scope = grantedManagementScopes(client, requestedScope).join(' ');
    const signed = await this.signer.sign(
      {
        sub: `${client.clientId}@clients`,
        aud: managementAudience(this.config),
        azp: client.clientId,
        scope,
        gty: 'client-credentials',
      },
      { alg: 'RS256', lifetimeSeconds: MANAGEMENT_TOKEN_LIFETIME_SECONDS, typ: ACCESS_TOKEN_TYP },
    );
    return {
      access_token: signed.token,
      token_type: 'Bearer',
      expires_in: signed.exp - signed.iat,
      scope,
    };
  }
}
