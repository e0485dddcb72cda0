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

export class RevocationRequest extends ClientCredentialsInBody {
  @ApiProperty({ maxLength: 8192, description: 'The refresh token to revoke.' })
  token: string;

  @ApiPropertyOptional({ enum: ['refresh_token', 'access_token'] })
  token_type_hint?: 'refresh_token' | 'access_token';
}

/** `POST /oauth/revoke`. */
export const ApiRevocationEndpoint = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revoke one of the client’s refresh tokens (RFC 7009)',
      description:
        'Answers 200 once the `TokenRevoked` is durable; also for an unknown token, an access token (they ' +
        'cannot be revoked, only expire) or another client’s token, which stays untouched (§2.2).',
    }),
    ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
    ApiBody({ type: RevocationRequest }),
    ApiSecurity({}),
    ApiSecurity(CLIENT_SECRET_BASIC),
    ApiResponse({ status: 200, description: 'Revoked, or nothing to revoke. Empty body.' }),
    ApiOAuthErrors({
      400: '`invalid_request`: missing, repeated or over-long `token`, unknown `token_type_hint`.',
      401: '`invalid_client`.',
      403: '`unauthorized_client`: the client may not use refresh tokens.',
      429: '`too_many_requests`: too many tokens that name no credential of the client (per address and client).',
      503: '`temporarily_unavailable`.',
    }),
  );
