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
import { ID_TOKEN_ALGS } from '@libs/jwt';
import { ApiManagementError } from '../errors/management-error.response';
import { listSchema } from '../http/list.openapi';
import { APP_TYPES, GRANT_TYPES, MANAGEMENT_SCOPES, TOKEN_ENDPOINT_AUTH_METHODS } from '@libs/tenants';

export class JwtConfigurationResponse {
  @ApiProperty({ type: 'integer' })
  lifetime_in_seconds: number;

  @ApiProperty({ enum: ID_TOKEN_ALGS })
  alg: string;
}

/** A client's refresh-token policy, every field filled (the legacy defaults for those never set). */
export class RefreshTokenPolicyResponse {
  @ApiProperty({ enum: ['non-rotating', 'rotating'] })
  rotation_type: string;

  @ApiProperty({ enum: ['non-expiring', 'expiring'] })
  expiration_type: string;

  @ApiProperty({ type: 'integer' })
  leeway: number;

  @ApiProperty({ type: 'integer' })
  token_lifetime: number;

  @ApiProperty()
  infinite_token_lifetime: boolean;

  @ApiProperty({ type: 'integer' })
  idle_token_lifetime: number;

  @ApiProperty()
  infinite_idle_token_lifetime: boolean;
}

/** The documented shape of `ClientView`. */
export class ClientResponse {
  @ApiProperty()
  client_id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: APP_TYPES })
  app_type: string;

  @ApiProperty({ type: [String] })
  callbacks: string[];

  @ApiProperty({ type: [String], description: 'Allowed Web Origins (normalized origins).' })
  web_origins: string[];

  @ApiProperty({ type: [String], description: 'Allowed Origins (CORS) (normalized origins).' })
  allowed_origins: string[];

  @ApiProperty({ enum: GRANT_TYPES, isArray: true })
  grant_types: string[];

  @ApiProperty({ enum: TOKEN_ENDPOINT_AUTH_METHODS })
  token_endpoint_auth_method: string;

  @ApiProperty({ type: JwtConfigurationResponse })
  jwt_configuration: JwtConfigurationResponse;

  @ApiProperty({ enum: MANAGEMENT_SCOPES, isArray: true })
  management_api_scopes: string[];

  @ApiProperty({ type: RefreshTokenPolicyResponse })
  refresh_token: RefreshTokenPolicyResponse;

  @ApiProperty({ description: 'Token requests must carry a DPoP proof (RFC 9449).' })
  require_proof_of_possession: boolean;

  @ApiProperty({
    type: [String],
    description: 'Client ids that may obtain delegation tokens for this client as `target`; empty: none.',
  })
  allowed_clients: string[];

  @ApiProperty({ enum: [true] })
  is_first_party: true;

  @ApiProperty({ enum: [true] })
  oidc_conformant: true;
}

export class CreatedClientResponse extends ClientResponse {
  @ApiPropertyOptional({
    description: 'Confidential clients only; shown this once, stored as a hash and sealed (for HS256).',
  })
  client_secret?: string;
}

/** `POST /api/v2/clients/{id}/rotate-secret`'s answer: the client with its new secret. */
export class RotatedClientResponse extends ClientResponse {
  @ApiProperty({ description: 'The new secret; the previous one stops working within seconds.' })
  client_secret: string;
}

/** A client as read endpoints return it: `fields` may leave any property out. */
export class ClientFieldsResponse extends PartialType(ClientResponse) {}

const ID = ApiParam({ name: 'id', description: 'The client_id.', schema: { type: 'string' } });

/** `POST /api/v2/clients`. */
export const ApiCreateClient = () =>
  applyDecorators(
    ApiOperation({ summary: 'Create an application' }),
    ApiResponse({ status: 201, description: 'The new application.', type: CreatedClientResponse }),
  );

/** `GET /api/v2/clients`. */
export const ApiListClients = () =>
  applyDecorators(
    ApiOperation({ summary: 'List applications' }),
    ApiExtraModels(ClientFieldsResponse),
    ApiResponse({
      status: 200,
      description: 'A page of applications.',
      schema: listSchema('clients', ClientFieldsResponse),
    }),
  );

/** `GET /api/v2/clients/{id}`. */
export const ApiGetClient = () =>
  applyDecorators(
    ApiOperation({ summary: 'Get an application' }),
    ID,
    ApiResponse({ status: 200, description: 'The application.', type: ClientFieldsResponse }),
    ApiManagementError(404, '`inexistent_client`.'),
  );

/** `PATCH /api/v2/clients/{id}`. */
export const ApiUpdateClient = () =>
  applyDecorators(
    ApiOperation({ summary: 'Update an application' }),
    ID,
    ApiResponse({ status: 200, description: 'The application as changed.', type: ClientResponse }),
    ApiManagementError(404, '`inexistent_client`.'),
  );

/** `POST /api/v2/clients/{id}/rotate-secret`. */
export const ApiRotateClientSecret = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Rotate a client secret',
      description:
        'A new secret for a confidential client (scope `update:client_keys`); the old one stops working ' +
        'within seconds (clients are cached for 5 s). ' +
        'Also makes the secret recoverable for HS256 id_tokens for clients created before that existed. ' +
        'A public client has no secret: 400 `invalid_body`.',
    }),
    ID,
    ApiResponse({
      status: 200,
      description: 'The application with its new secret.',
      type: RotatedClientResponse,
    }),
    ApiManagementError(404, '`inexistent_client`.'),
  );

/** `DELETE /api/v2/clients/{id}`. */
export const ApiDeleteClient = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Delete a client',
      description:
        'Revokes every refresh token of the application first (one `TokenRevoked` each, reason ' +
        '`client_deleted`), then deletes it (scope `delete:clients`). The bootstrap Management API ' +
        'client cannot be deleted: 403 `operation_not_supported`.',
    }),
    ID,
    ApiResponse({ status: 204, description: 'Deleted.' }),
    ApiManagementError(403, '`operation_not_supported`: the bootstrap Management API client.'),
    ApiManagementError(404, '`inexistent_client`.'),
  );
