import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiParam, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ApiManagementError } from '../errors/management-error.response';
import { listSchema } from '../http/list.openapi';

/** One refresh token as listed (never the token or its hash); `fields` may leave any property out. */
export class DeviceCredentialResponse {
  @ApiPropertyOptional({ example: 'dcr_0123456789abcdef' })
  id?: string;

  @ApiPropertyOptional()
  device_name?: string;

  @ApiPropertyOptional()
  device_id?: string;

  @ApiPropertyOptional({
    enum: ['refresh_token', 'rotating_refresh_token'],
    description: '`rotating_refresh_token` for a token whose client rotates them.',
  })
  type?: string;

  @ApiPropertyOptional()
  user_id?: string;

  @ApiPropertyOptional()
  client_id?: string;
}

/** `GET /api/v2/device-credentials`. */
export const ApiListDeviceCredentials = () =>
  applyDecorators(
    ApiOperation({
      summary: 'List refresh tokens (device credentials)',
      description:
        'Served from the projection; credentials whose revocation is stored but not yet projected are left out.',
    }),
    ApiExtraModels(DeviceCredentialResponse),
    ApiResponse({
      status: 200,
      description: 'A page of refresh tokens in force (neither revoked nor expired).',
      schema: listSchema('device_credentials', DeviceCredentialResponse),
    }),
  );

/** `DELETE /api/v2/device-credentials/{id}`. */
export const ApiRevokeDeviceCredential = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revoke a refresh token',
      description:
        '204 once its `TokenRevoked` is durable: from then on the token is refused everywhere. Also 204 for ' +
        'an already revoked credential.',
    }),
    ApiParam({ name: 'id', schema: { type: 'string', pattern: '^dcr_[0-9A-Za-z]{16}$' } }),
    ApiResponse({ status: 204, description: 'Revoked.' }),
    ApiManagementError(404, '`inexistent_device_credential`.'),
  );
