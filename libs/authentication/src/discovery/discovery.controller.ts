import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@libs/config';
import { SIGNING_ALGS } from '@libs/jwt';
import { API_TAGS } from '@libs/platform';
import { DPOP_SIGNING_ALGS } from '@libs/security';
import { ClientRepository } from '@libs/tenants';
import { SUPPORTED_GRANT_TYPES } from '../token/token.controller';
import { ApiOpenIdConfiguration } from './discovery.openapi';

/** OpenID Connect Discovery 1.0 §3: describes exactly what this tenant implements. */
@ApiTags(API_TAGS.authentication)
@Controller('.well-known')
export class DiscoveryController {
  constructor(
    private readonly config: AppConfig,
    private readonly clients: ClientRepository,
  ) {}

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOpenIdConfiguration()
  async configuration() {
    const base = this.config.publicUrl;
    // Legacy clients' id_tokens are HS256 (signed with the client's secret): an OIDC library checks the
    // header's alg against this list, so it names HS256 while a client uses it, and only then.
    const idTokenAlgs: string[] = [...SIGNING_ALGS];
    if (await this.clients.signsIdTokensWith('HS256')) idTokenAlgs.push('HS256');
    return {
      issuer: `${base}/`,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/oauth/token`,
      userinfo_endpoint: `${base}/userinfo`,
      revocation_endpoint: `${base}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      // RFC 8414 §2 / RFC 7662 §2.1: confidential clients only.
      introspection_endpoint: `${base}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      jwks_uri: `${base}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: [...SUPPORTED_GRANT_TYPES],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: idTokenAlgs,
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'azp',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'name',
        'nickname',
        'picture',
        'updated_at',
        'email',
        'email_verified',
      ],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      // RFC 9449 §5.1.
      dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
    };
  }
}
