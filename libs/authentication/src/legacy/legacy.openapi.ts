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

export class ResourceOwnerRequest extends ClientCredentialsInBody {
  @ApiPropertyOptional({ enum: ['password'], default: 'password' })
  grant_type?: 'password';

  @ApiProperty({ maxLength: 320 })
  username: string;

  @ApiProperty({ maxLength: 1024 })
  password: string;

  @ApiPropertyOptional({ enum: ['Username-Password-Authentication'] })
  connection?: string;

  @ApiPropertyOptional({ maxLength: 1024, default: 'openid', example: 'openid offline_access' })
  scope?: string;

  @ApiPropertyOptional({ maxLength: 255, description: 'Required with `offline_access`: the device name.' })
  device?: string;
}

export class ResourceOwnerResponseBody {
  @ApiPropertyOptional({ description: 'With `openid`.' })
  id_token?: string;

  @ApiProperty()
  access_token: string;

  @ApiProperty({ enum: ['bearer'] })
  token_type: 'bearer';

  @ApiPropertyOptional({ description: 'With `offline_access` and a `device`, bound to that device.' })
  refresh_token?: string;
}

export class TokeninfoRequest {
  @ApiProperty({ maxLength: 8192, description: 'An id_token this tenant issued.' })
  id_token: string;
}

export class TokeninfoResponse {
  @ApiProperty() user_id: string;
  @ApiProperty() email: string;
  @ApiProperty() email_verified: boolean;
  @ApiProperty() name: string;
  @ApiProperty() nickname: string;
  @ApiPropertyOptional() picture?: string;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
  @ApiPropertyOptional() last_login?: string;
  @ApiProperty({ type: 'integer' }) logins_count: number;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) identities: object[];
}

/** `POST /oauth/ro`. */
export const ApiResourceOwner = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Legacy resource-owner login (Auth0 /oauth/ro)',
      description:
        'The password grant with Auth0’s legacy answer `{id_token, access_token, token_type: "bearer", ' +
        'refresh_token?}`: same client authentication and rules as `grant_type=password` at /oauth/token.',
    }),
    ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
    ApiBody({ type: ResourceOwnerRequest }),
    ApiSecurity({}),
    ApiSecurity(CLIENT_SECRET_BASIC),
    ApiResponse({
      status: 200,
      description: 'Tokens (`Cache-Control: no-store`).',
      type: ResourceOwnerResponseBody,
    }),
    ApiOAuthErrors({
      400: '`invalid_request` (missing parameter, unknown connection, offline_access without device), `unsupported_grant_type`.',
      401: '`invalid_client`, or `unauthorized` for a blocked user.',
      403:
        '`invalid_grant` "Wrong email or password.", `unauthorized_client` (password grant not enabled; a ' +
        'client that requires DPoP-bound tokens).',
      429: '`too_many_attempts`: wrong passwords per IP and user or per IP, wrong client secrets per IP and client.',
      503: '`temporarily_unavailable` (also: too many passwords are being checked).',
    }),
  );

/** `POST /tokeninfo`. */
export const ApiTokeninfo = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Legacy: the user profile for an id_token (Auth0 /tokeninfo; use /userinfo)',
      description:
        'RS256/ES256 id_tokens verify with the tenant’s keys, HS256 ones with their client’s secret — and ' +
        'count only when this service issued them (bound to a credential of that client and user, or a ' +
        'recorded jti). A token whose refresh token (`credential_id`) is revoked or expired is refused.',
    }),
    ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
    ApiBody({ type: TokeninfoRequest }),
    ApiResponse({ status: 200, description: 'The user’s profile.', type: TokeninfoResponse }),
    ApiOAuthErrors({
      400: '`invalid_request`: `id_token` missing or not a single string.',
      401: '`invalid_token`: malformed, forged, expired or foreign id_token, one not issued here, its credential revoked, or a blocked or deleted user.',
      503: '`temporarily_unavailable`.',
    }),
  );
