import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { managementAudience, type AuthenticatedClient } from '@libs/tenants';
import { AccessDenied, InvalidClient, stringParam, type OAuthParams } from '@libs/platform';
import { ManagementTokenIssuer } from './management-token.issuer';

/**
 * `grant_type=client_credentials` (RFC 6749 §4.4): how machine-to-machine applications get a
 * Management API token, for `audience=<PUBLIC_URL>/api/v2/`, with the scopes they were granted.
 */
@Injectable()
export class ClientCredentialsGrant {
  constructor(
    private readonly issuer: ManagementTokenIssuer,
    private readonly config: AppConfig,
  ) {}

  async handle(params: OAuthParams, { client, confidential }: AuthenticatedClient) {
    if (!confidential) throw new InvalidClient('client_credentials needs a confidential client.');
    const audience = stringParam(params, 'audience', { max: 2_048 }) ?? '';
    if (audience !== managementAudience(this.config)) {
      throw new AccessDenied(`Service not enabled within domain: ${audience}`);
    }
    return this.issuer.issue(client, stringParam(params, 'scope', { max: 2_048 }));
  }
}
