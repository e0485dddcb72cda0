import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, type SchemaObject } from '@nestjs/swagger';
import { ApiOAuthErrors } from '@libs/platform';
import { USER_ACCESS_TOKEN } from '../authentication.openapi';

const strings: SchemaObject = { type: 'array', items: { type: 'string' } };

const OPENID_CONFIGURATION: SchemaObject = {
  type: 'object',
  required: [
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'jwks_uri',
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
  ],
  properties: {
    issuer: { type: 'string', format: 'uri', description: '`<PUBLIC_URL>/`' },
    authorization_endpoint: { type: 'string', format: 'uri' },
    token_endpoint: { type: 'string', format: 'uri' },
    userinfo_endpoint: { type: 'string', format: 'uri' },
    revocation_endpoint: { type: 'string', format: 'uri' },
    revocation_endpoint_auth_methods_supported: strings,
    introspection_endpoint: { type: 'string', format: 'uri' },
    introspection_endpoint_auth_methods_supported: strings,
    jwks_uri: { type: 'string', format: 'uri' },
    response_types_supported: strings,
    response_modes_supported: strings,
    grant_types_supported: strings,
    subject_types_supported: strings,
    id_token_signing_alg_values_supported: strings,
    scopes_supported: strings,
    claims_supported: strings,
    code_challenge_methods_supported: strings,
    token_endpoint_auth_methods_supported: strings,
    request_parameter_supported: { type: 'boolean' },
    request_uri_parameter_supported: { type: 'boolean' },
    dpop_signing_alg_values_supported: strings,
  },
};

const USERINFO: SchemaObject = {
  type: 'object',
  required: ['sub'],
  properties: {
    sub: { type: 'string' },
    name: { type: 'string', description: '`profile` scope.' },
    nickname: { type: 'string', description: '`profile` scope.' },
    picture: { type: 'string', description: '`profile` scope.' },
    updated_at: { type: 'string', format: 'date-time', description: '`profile` scope.' },
    email: { type: 'string', description: '`email` scope.' },
    email_verified: { type: 'boolean', description: '`email` scope.' },
  },
};

/** `GET /.well-known/openid-configuration`. */
export const ApiOpenIdConfiguration = () =>
  applyDecorators(
    ApiOperation({ summary: 'OpenID Connect discovery document (OIDC Discovery 1.0 §3)' }),
    ApiResponse({ status: 200, description: 'Cacheable for 5 minutes.', schema: OPENID_CONFIGURATION }),
  );

/** `GET /userinfo`. */
export const ApiUserinfo = () =>
  applyDecorators(
    ApiOperation({ summary: 'The user’s claims for an access token issued here (OIDC Core §5.3)' }),
    ApiSecurity(USER_ACCESS_TOKEN),
    ApiResponse({ status: 200, description: 'Claims by the token’s scope.', schema: USERINFO }),
    ApiOAuthErrors({
      401:
        '`invalid_token`: missing, malformed, expired or foreign token, its refresh token revoked or past its ' +
        "lifetimes, a blocked or deleted user; a DPoP-bound token as `Bearer` or with another key's proof " +
        '(`WWW-Authenticate: DPoP`). `invalid_dpop_proof`, `use_dpop_nonce`: the `DPoP` proof of ' +
        '`Authorization: DPoP <token>` (RFC 9449 §7.1).',
      503: '`temporarily_unavailable` (also: the DPoP replay cache cannot be reached).',
    }),
  );
