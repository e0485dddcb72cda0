import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiResponse,
  getSchemaPath,
  PartialType,
} from '@nestjs/swagger';
import { ApiManagementError } from '../errors/management-error.response';

class RefreshTokenDeviceResponse {
  @ApiProperty({ description: 'The `device` the app named when it obtained the token.' })
  device_name: string;
}

/** The documented shape of `RefreshTokenView`; never the token or its hash. */
export class RefreshTokenResponse {
  @ApiProperty({ example: 'dcr_0123456789abcdef', description: 'The device credential id.' })
  id: string;

  @ApiProperty()
  user_id: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When the token expires unless exchanged before; null without an idle lifetime.',
  })
  idle_expires_at: string | null;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'The absolute end of the token family; null: none.',
  })
  expires_at: string | null;

  @ApiProperty({ type: RefreshTokenDeviceResponse })
  device: RefreshTokenDeviceResponse;

  @ApiProperty()
  client_id: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'Always null: no sessions here.' })
  session_id: null;

  @ApiProperty()
  rotating: boolean;

  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    maxItems: 0,
    description: 'Always empty: the tokens here are bound to no API.',
  })
  resource_servers: [];

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'The last exchange; null before the first.',
  })
  last_exchanged_at: string | null;
}

/** A refresh token as `GET /api/v2/refresh-tokens` lists it: `fields` may leave any property out. */
export class RefreshTokenFieldsResponse extends PartialType(RefreshTokenResponse) {}

const page = (name: string, item: Type) => ({
  type: 'object' as const,
  required: [name],
  properties: {
    [name]: { type: 'array' as const, items: { $ref: getSchemaPath(item) } },
    next: {
      type: 'string' as const,
      description: 'Present when more tokens may follow: pass it as `from` for the next page.',
    },
  },
});

const TOKEN_ID = ApiParam({
  name: 'id',
  description: 'The refresh token id (its device credential id).',
  schema: { type: 'string' },
});
const USER_ID = ApiParam({ name: 'id', description: 'The user_id (`auth0|…`).', schema: { type: 'string' } });
const IN_FORCE =
  'Tokens in force only (neither revoked nor expired), from the projection: a token issued a moment ago may be missing.';
const ACCEPTED =
  "202 as Auth0 answers, but nothing is left pending: each token's `TokenRevoked` is durable before the answer, " +
  'and the token is refused everywhere from then on.';

/** `GET /api/v2/users/{id}/refresh-tokens`. */
export const ApiListUserRefreshTokens = () =>
  applyDecorators(
    ApiOperation({ summary: "List a user's refresh tokens", description: `${IN_FORCE} Sorted by id.` }),
    USER_ID,
    ApiExtraModels(RefreshTokenResponse),
    ApiResponse({
      status: 200,
      description: 'A page of tokens.',
      schema: page('tokens', RefreshTokenResponse),
    }),
    ApiManagementError(404, '`inexistent_user`.'),
  );

/** `DELETE /api/v2/users/{id}/refresh-tokens`. */
export const ApiRevokeUserRefreshTokens = () =>
  applyDecorators(
    ApiOperation({
      summary: "Revoke a user's refresh tokens",
      description: `Every token of the user, also those the projection does not show yet. ${ACCEPTED}`,
    }),
    USER_ID,
    ApiResponse({ status: 202, description: 'Revoked.' }),
    ApiManagementError(404, '`inexistent_user`.'),
  );

/** `GET /api/v2/refresh-tokens`. */
export const ApiListRefreshTokens = () =>
  applyDecorators(
    ApiOperation({
      summary: "List a user's refresh tokens, of one application with client_id",
      description: `${IN_FORCE} Sorted by id.`,
    }),
    ApiExtraModels(RefreshTokenFieldsResponse),
    ApiResponse({
      status: 200,
      description: 'A page of tokens.',
      schema: page('refresh_tokens', RefreshTokenFieldsResponse),
    }),
  );

/** `POST /api/v2/refresh-tokens/revoke`. */
export const ApiRevokeRefreshTokens = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revoke refresh tokens in bulk',
      description:
        '`ids` (unknown ones are skipped), or every token of `user_id`, of one application with `client_id` ' +
        `(also those the projection does not show yet). ${ACCEPTED}`,
    }),
    ApiResponse({ status: 202, description: 'Revoked.' }),
  );

/** `GET /api/v2/refresh-tokens/{id}`. */
export const ApiGetRefreshToken = () =>
  applyDecorators(
    ApiOperation({ summary: 'Get a refresh token', description: IN_FORCE }),
    TOKEN_ID,
    ApiResponse({ status: 200, description: 'The token.', type: RefreshTokenResponse }),
    ApiManagementError(404, '`inexistent_refresh_token`: unknown, revoked or expired.'),
  );

/** `DELETE /api/v2/refresh-tokens/{id}`. */
export const ApiRevokeRefreshToken = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revoke a refresh token',
      description: `Also 202 for a token revoked or expired already. ${ACCEPTED}`,
    }),
    TOKEN_ID,
    ApiResponse({ status: 202, description: 'Revoked.' }),
    ApiManagementError(404, '`inexistent_refresh_token`: no token has this id.'),
  );
