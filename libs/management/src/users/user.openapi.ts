import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  PartialType,
} from '@nestjs/swagger';
import { ApiManagementError } from '../errors/management-error.response';
import { listSchema } from '../http/list.openapi';

export class IdentityResponse {
  @ApiProperty()
  connection: string;

  @ApiProperty({ description: 'The user id without its `auth0|` prefix.' })
  user_id: string;

  @ApiProperty({ enum: ['auth0'] })
  provider: string;

  @ApiProperty({ enum: [false] })
  isSocial: false;
}

/** The documented shape of `UserView`; never a password or its hash. */
export class UserResponse {
  @ApiProperty({ example: 'auth0|0123456789abcdef01234567' })
  user_id: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  email_verified: boolean;

  @ApiProperty()
  name: string;

  @ApiProperty()
  nickname: string;

  @ApiPropertyOptional()
  picture?: string;

  @ApiProperty()
  blocked: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Absent until the first login.' })
  last_login?: string;

  @ApiProperty({ type: 'integer' })
  logins_count: number;

  @ApiProperty({ type: [IdentityResponse] })
  identities: IdentityResponse[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the user may edit; `{}` when none.',
  })
  user_metadata: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What only administrators set; `{}` when none.',
  })
  app_metadata: Record<string, unknown>;
}

/** A user as read endpoints return it: `fields` may leave any property out. */
export class UserFieldsResponse extends PartialType(UserResponse) {}

const ID = ApiParam({ name: 'id', description: 'The user_id (`auth0|…`).', schema: { type: 'string' } });

/** `POST /api/v2/users`. */
export const ApiCreateUser = () =>
  applyDecorators(
    ApiOperation({ summary: 'Create a user in the database connection' }),
    ApiResponse({ status: 201, description: 'The new user.', type: UserResponse }),
    ApiManagementError(409, '`auth0_idp_error`: a user with this email already exists.'),
  );

/** `GET /api/v2/users`. */
export const ApiListUsers = () =>
  applyDecorators(
    ApiOperation({ summary: 'List or search users' }),
    ApiExtraModels(UserFieldsResponse),
    ApiResponse({
      status: 200,
      description: 'A page of users, by `sort` (default: creation).',
      schema: listSchema('users', UserFieldsResponse),
    }),
  );

/** `GET /api/v2/users-by-email`. */
export const ApiUsersByEmail = () =>
  applyDecorators(
    ApiOperation({ summary: 'The users with an email, compared without regard to case' }),
    ApiResponse({ status: 200, description: 'At most one user.', type: [UserFieldsResponse] }),
  );

/** `GET /api/v2/users/{id}`. */
export const ApiGetUser = () =>
  applyDecorators(
    ApiOperation({ summary: 'Get a user' }),
    ID,
    ApiResponse({ status: 200, description: 'The user.', type: UserFieldsResponse }),
    ApiManagementError(404, '`inexistent_user`.'),
  );

/** `PATCH /api/v2/users/{id}`. */
export const ApiUpdateUser = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Update a user',
      description:
        'At least one field. `blocked: true` revokes all the user’s refresh tokens (one `TokenRevoked` each) ' +
        'before answering.',
    }),
    ID,
    ApiResponse({ status: 200, description: 'The user as changed.', type: UserResponse }),
    ApiManagementError(404, '`inexistent_user`.'),
    ApiManagementError(409, '`auth0_idp_error`: another user has this email.'),
  );

/** `DELETE /api/v2/users/{id}`. */
export const ApiDeleteUser = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Delete a user',
      description: 'Revokes all the user’s refresh tokens first (one `TokenRevoked` each).',
    }),
    ID,
    ApiResponse({ status: 204, description: 'Deleted.' }),
    ApiManagementError(404, '`inexistent_user`.'),
  );
