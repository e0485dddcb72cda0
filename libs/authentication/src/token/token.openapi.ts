import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSecurity,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiOAuthErrors } from '@libs/platform';
import { CLIENT_SECRET_BASIC } from '../authentication.openapi';

/** How a client identifies itself in the body (`client_secret_post`, or `client_id` alone when public). */
export class ClientCredentialsInBody {
  @ApiPropertyOptional({
    maxLength: 128,
    description: 'Required unless the client authenticates with HTTP Basic.',
  })
  client_id?: string;

  @ApiPropertyOptional({
    maxLength: 512,
    description:
      'Confidential clients using `client_secret_post`; never with HTTP Basic or for a public client.',
  })
  client_secret?: string;
}

export class AuthorizationCodeGrantRequest extends ClientCredentialsInBody {
  @ApiProperty({ enum: ['authorization_code'] })
  grant_type: 'authorization_code';

  @ApiProperty({ maxLength: 512, description: 'The code /authorize sent to the redirect_uri; works once.' })
  code: string;

  @ApiPropertyOptional({
    maxLength: 2048,
    description: 'The redirect_uri of the authorization request, exactly (required when it was sent there).',
  })
  redirect_uri?: string;

  @ApiPropertyOptional({
    pattern: '^[A-Za-z0-9._~-]{43,128}$',
    description: 'PKCE verifier (RFC 7636 §4.1); required when the code was issued with a challenge.',
  })
  code_verifier?: string;
}

export class PasswordGrantRequest extends ClientCredentialsInBody {
  @ApiProperty({ enum: ['password'] })
  grant_type: 'password';

  @ApiProperty({ maxLength: 320, description: 'The user’s email.' })
  username: string;

  @ApiProperty({ maxLength: 1024 })
  password: string;

  @ApiPropertyOptional({
    maxLength: 1024,
    default: 'openid',
    description: 'Space-separated: `openid`, `profile`, `email`, `offline_access`.',
  })
  scope?: string;

  @ApiPropertyOptional({
    maxLength: 255,
    description: 'The device the refresh token is bound to; required with `offline_access`.',
  })
  device?: string;
}

export class RefreshTokenGrantRequest extends ClientCredentialsInBody {
  @ApiProperty({ enum: ['refresh_token'] })
  grant_type: 'refresh_token';

  @ApiProperty({ maxLength: 512 })
  refresh_token: string;

  @ApiPropertyOptional({
    maxLength: 1024,
    description: 'A subset of the token’s scope (absent: all of it); a wider one is `invalid_scope`.',
  })
  scope?: string;
}

export class ClientCredentialsGrantRequest extends ClientCredentialsInBody {
  @ApiProperty({ enum: ['client_credentials'] })
  grant_type: 'client_credentials';

  @ApiProperty({ maxLength: 2048, description: 'The Management API: `<PUBLIC_URL>/api/v2/`.' })
  audience: string;

  @ApiPropertyOptional({
    maxLength: 2048,
    description: 'Space-separated Management API scopes; absent: every scope granted to the client.',
  })
  scope?: string;
}

/** RFC 6749 §5.1 + OIDC: what every grant answers (fields absent when the grant gives none). */
export class TokenResponseBody {
  @ApiProperty({
    description: 'A JWT (`at+jwt`): for `/userinfo`, or the Management API (client_credentials).',
  })
  access_token: string;

  @ApiPropertyOptional({ description: 'When `openid` was granted (not for client_credentials).' })
  id_token?: string;

  @ApiPropertyOptional({
    description:
      'When `offline_access` was granted for a device (authorization_code, password). Never rotated: the ' +
      'refresh_token grant returns none.',
  })
  refresh_token?: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ type: 'integer', description: 'Seconds until access_token expires.' })
  expires_in: number;

  @ApiProperty()
  scope: string;
}

const GRANTS = {
  authorization_code: AuthorizationCodeGrantRequest,
  password: PasswordGrantRequest,
  refresh_token: RefreshTokenGrantRequest,
  client_credentials: ClientCredentialsGrantRequest,
} as const;

/** `POST /oauth/token`. */
export const ApiTokenEndpoint = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Token endpoint: one grant per grant_type',
      description:
        'Form or JSON body. A parameter sent twice, or not as a single string, is `invalid_request` ' +
        '(RFC 6749 §3.1). The refresh_token grant shares `/delegation`’s validation, recording and rate limits.',
    }),
    ApiExtraModels(...Object.values(GRANTS)),
    ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
    ApiBody({
      schema: {
        oneOf: Object.values(GRANTS).map((grant) => ({ $ref: getSchemaPath(grant) })),
        discriminator: {
          propertyName: 'grant_type',
          mapping: Object.fromEntries(
            Object.entries(GRANTS).map(([name, grant]) => [name, getSchemaPath(grant)]),
          ),
        },
      },
    }),
    ApiSecurity({}),
    ApiSecurity(CLIENT_SECRET_BASIC),
    ApiResponse({
      status: 200,
      description: 'Tokens (`Cache-Control: no-store`).',
      type: TokenResponseBody,
      headers: {
        'X-RateLimit-Limit': { description: 'refresh_token grant only.', schema: { type: 'integer' } },
        'X-RateLimit-Remaining': { description: 'refresh_token grant only.', schema: { type: 'integer' } },
        'X-RateLimit-Reset': { description: 'refresh_token grant only.', schema: { type: 'integer' } },
      },
    }),
    ApiOAuthErrors({
      400:
        '`invalid_request` (missing, repeated, non-string or over-long parameter; two client authentication ' +
        'methods; offline_access without device), `unsupported_grant_type`, `invalid_scope`; ' +
        '`invalid_dpop_proof` (a bad DPoP proof, or none from a client that requires one), `use_dpop_nonce`.',
      401:
        '`invalid_client` (unknown client, wrong secret, a secret from a public client, malformed Basic ' +
        'credentials); `unauthorized` "user is blocked" (password grant).',
      403:
        '`invalid_grant` (unusable code or refresh token, wrong password, redirect_uri or PKCE mismatch), ' +
        '`unauthorized_client` (grant not enabled), `access_denied` (client_credentials: wrong audience or scope).',
      429:
        '`too_many_requests` (refresh_token grant: per IP and user, and failed look-ups per IP and client); ' +
        '`too_many_attempts` (wrong passwords per IP and user or per IP, wrong client secrets per IP and client).',
      503:
        '`temporarily_unavailable`: PostgreSQL is unreachable, too many passwords are being checked, or (a ' +
        'request with a DPoP proof) the DPoP replay cache.',
    }),
  );
