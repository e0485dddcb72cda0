import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSecurity,
} from '@nestjs/swagger';
import { ApiOAuthErrors } from '@libs/platform';
import { CLIENT_SECRET_BASIC } from '../authentication.openapi';
import { ClientCredentialsInBody } from '../token/token.openapi';

export class IntrospectionRequest extends ClientCredentialsInBody {
  @ApiProperty({ maxLength: 8192, description: 'A refresh token or an access token of the client.' })
  token: string;

  @ApiPropertyOptional({
    description: 'Which kind to look the token up as first; it is looked up as the other kind too.',
    enum: ['refresh_token', 'access_token'],
  })
  token_type_hint?: 'refresh_token' | 'access_token';
}

class ProofKeyConfirmation {
  @ApiProperty({ description: 'SHA-256 JWK thumbprint of the DPoP key (RFC 9449 §6.2).' })
  jkt: string;
}

/** RFC 7662 §2.2: `{active: false}` alone, or the members below for a token in force. */
export class IntrospectionResponseBody {
  @ApiProperty({ description: 'Whether the token is in force now; when false, no other member is sent.' })
  active: boolean;

  @ApiPropertyOptional({ description: 'Space-separated scope the token grants.' })
  scope?: string;

  @ApiPropertyOptional({ description: 'The client the token was issued to (always the caller).' })
  client_id?: string;

  @ApiPropertyOptional({ description: 'The user’s id.' })
  sub?: string;

  @ApiPropertyOptional({
    enum: ['Bearer', 'DPoP', 'refresh_token'],
    description: 'An access token’s type (`DPoP` when bound to a key), or `refresh_token`.',
  })
  token_type?: 'Bearer' | 'DPoP' | 'refresh_token';

  @ApiPropertyOptional({
    type: 'integer',
    description:
      'Epoch seconds it stops being usable at the latest. A refresh token: the earliest of the family’s ' +
      'absolute end, its idle end as of its last use and, for a retired rotating token, the end of its ' +
      'leeway; absent when only a revocation ends it.',
  })
  exp?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Epoch seconds: an access token’s issuance; for a refresh token, its family’s (the login).',
  })
  iat?: number;

  @ApiPropertyOptional({ description: '`<PUBLIC_URL>/`' })
  iss?: string;

  @ApiPropertyOptional({ description: 'Access tokens: `<PUBLIC_URL>/userinfo`.' })
  aud?: string;

  @ApiPropertyOptional({ description: 'Access tokens: the JWT’s `jti`.' })
  jti?: string;

  @ApiPropertyOptional({ type: ProofKeyConfirmation, description: 'When the token is bound to a DPoP key.' })
  cnf?: ProofKeyConfirmation;

  @ApiPropertyOptional({
    description:
      'The device credential (`dcr_…`) of the refresh token, or of the one the access token came from.',
  })
  device_credential_id?: string;
}

/** `POST /oauth/introspect`. */
export const ApiIntrospectionEndpoint = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Whether one of the client’s tokens is in force, and what it grants (RFC 7662)',
      description:
        'Confidential clients only (HTTP Basic or `client_secret` in the body). `active` is what an exchange ' +
        '(refresh tokens) or `/userinfo` (access tokens) would decide now: false once revoked — as soon as ' +
        'the revocation has returned —, expired, reused, or its user blocked or deleted. A read: a retired ' +
        'rotating token is answered `active: false` after its leeway but its family is not revoked (only an ' +
        'exchange records a reuse). Another client’s token, an unknown one or garbage: `{"active": false}`.',
    }),
    ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
    ApiBody({ type: IntrospectionRequest }),
    ApiSecurity({}),
    ApiSecurity(CLIENT_SECRET_BASIC),
    ApiResponse({
      status: 200,
      description: 'The token’s state (`Cache-Control: no-store`).',
      type: IntrospectionResponseBody,
    }),
    ApiOAuthErrors({
      400: '`invalid_request`: missing, repeated or over-long `token`; two client authentication methods.',
      401: '`invalid_client`: unknown client, wrong secret, or a public client (no secret to authenticate with).',
      429:
        '`too_many_attempts`: too many wrong client secrets from this address; `too_many_requests`: too many ' +
        'tokens that name nothing of the client (failed look-ups per address and client).',
      503: '`temporarily_unavailable`.',
    }),
  );
