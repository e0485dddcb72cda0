import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  LEGACY_REFRESH_TOKEN_POLICY,
  MAX_LEEWAY,
  MAX_TOKEN_LIFETIME,
  type RefreshTokenPolicy,
} from '@libs/domain';
import { ID_TOKEN_ALGS, type IdTokenAlg } from '@libs/jwt';
import { FieldsQuery, PagedFieldsQuery } from '../http/list-params';
import {
  APP_TYPES,
  type AppType,
  GRANT_TYPES,
  type GrantType,
  MANAGEMENT_SCOPES,
  type ManagementScope,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenEndpointAuthMethod,
} from '@libs/tenants';
import { MAX_CLIENT_ORIGIN_LENGTH, MAX_CLIENT_ORIGINS } from './client-origins';
import type { ClientSettingsInput, RefreshTokenPolicyInput } from './client-settings';

/** At most this many clients in `allowed_clients`. */
const MAX_ALLOWED_CLIENTS = 100;

/** `web_origins` and `allowed_origins`: the same schema, checked further by `clientOriginProblem`. */
const OriginList = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: [String],
      maxItems: MAX_CLIENT_ORIGINS,
      items: { type: 'string', maxLength: MAX_CLIENT_ORIGIN_LENGTH },
      description: `${description} \`scheme://host[:port]\` (http or https, no path), or \`https://*.example.com\` for one subdomain label.`,
    }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_CLIENT_ORIGINS),
    IsString({ each: true }),
    MaxLength(MAX_CLIENT_ORIGIN_LENGTH, { each: true }),
  );

/** `jwt_configuration` of a client: the id_tokens it receives. */
export class JwtConfigurationBody {
  /** `exp - iat` of its id_tokens; Auth0 allows up to 30 days. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 2_592_000, default: 36_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_592_000)
  lifetime_in_seconds?: number;

  /** HS256 signs with the client's secret: confidential clients only. */
  @ApiPropertyOptional({ enum: ID_TOKEN_ALGS, default: 'RS256' })
  @IsOptional()
  @IsIn(ID_TOKEN_ALGS)
  alg?: IdTokenAlg;
}

const LEGACY = LEGACY_REFRESH_TOKEN_POLICY;

/**
 * `refresh_token` of a client: Auth0's refresh-token policy, field by field as Auth0's schema has it (the
 * rules between the fields are `policyProblem`'s). Omitted fields take the legacy defaults.
 */
export class RefreshTokenBody implements RefreshTokenPolicyInput {
  @ApiProperty({ enum: ['non-rotating', 'rotating'] })
  @IsIn(['non-rotating', 'rotating'])
  rotation_type: RefreshTokenPolicy['rotation_type'];

  @ApiProperty({ enum: ['non-expiring', 'expiring'], description: '`expiring` when rotating.' })
  @IsIn(['non-expiring', 'expiring'])
  expiration_type: RefreshTokenPolicy['expiration_type'];

  // Auth0 states no maximum for leeway: ours is MAX_LEEWAY (issue 19 finding 5, reasons at its definition).
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_LEEWAY,
    default: LEGACY.leeway,
    description:
      'Seconds the immediately previous token may still be exchanged (a retry) without counting as reuse; ' +
      `at most ${MAX_LEEWAY}.`,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LEEWAY)
  leeway?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_TOKEN_LIFETIME,
    default: LEGACY.token_lifetime,
    description: 'Absolute lifetime in seconds, from the first issuance of the token family.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_LIFETIME)
  token_lifetime?: number;

  @ApiPropertyOptional({ default: LEGACY.infinite_token_lifetime, description: 'Overrides token_lifetime.' })
  @IsOptional()
  @IsBoolean()
  infinite_token_lifetime?: boolean;

  // Auth0 states no maximum for idle_token_lifetime; it ends in an integer column, hence 5 years.
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_TOKEN_LIFETIME,
    default: LEGACY.idle_token_lifetime,
    description: 'Seconds a token stays valid without being exchanged; at most token_lifetime.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_LIFETIME)
  idle_token_lifetime?: number;

  @ApiPropertyOptional({
    default: LEGACY.infinite_idle_token_lifetime,
    description: 'Overrides idle_token_lifetime.',
  })
  @IsOptional()
  @IsBoolean()
  infinite_idle_token_lifetime?: boolean;
}

/** Body of `POST /api/v2/clients`. */
export class CreateClientBody implements ClientSettingsInput {
  // Auth0: at least one character, no `<` or `>` (names are shown in consent and login pages).
  @ApiProperty({ minLength: 1, maxLength: 128, pattern: '^[^<>]*$' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  @Matches(/^[^<>]*$/, { message: 'name must not contain < or >' })
  name: string;

  @ApiPropertyOptional({ maxLength: 140 })
  @IsOptional()
  @IsString()
  @MaxLength(140)
  description?: string;

  @ApiPropertyOptional({ enum: APP_TYPES, default: 'regular_web' })
  @IsOptional()
  @IsIn(APP_TYPES)
  app_type?: AppType;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 100,
    items: { type: 'string', maxLength: 2048 },
    description:
      'Absolute URLs without fragment or wildcard; custom schemes (com.example.app://cb) for native apps only.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  callbacks?: string[];

  @OriginList('Allowed Web Origins: pages that may call the Authentication API from a browser.')
  web_origins?: string[];

  @OriginList('Allowed Origins (CORS): pages that may call the Authentication API from a browser.')
  allowed_origins?: string[];

  @ApiPropertyOptional({
    enum: GRANT_TYPES,
    isArray: true,
    maxItems: GRANT_TYPES.length,
    description:
      'Default per app_type; each app_type allows only some (client_credentials: confidential apps).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(GRANT_TYPES.length)
  @IsIn(GRANT_TYPES, { each: true })
  grant_types?: GrantType[];

  @ApiPropertyOptional({
    enum: TOKEN_ENDPOINT_AUTH_METHODS,
    description:
      '`none` (public: native and spa, the default there) or a secret (`client_secret_post` otherwise).',
  })
  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  token_endpoint_auth_method?: TokenEndpointAuthMethod;

  @ApiPropertyOptional({ type: JwtConfigurationBody })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => JwtConfigurationBody)
  jwt_configuration?: JwtConfigurationBody;

  /** Management API scopes granted to the client for the client_credentials grant. */
  @ApiPropertyOptional({
    enum: MANAGEMENT_SCOPES,
    isArray: true,
    maxItems: MANAGEMENT_SCOPES.length,
    description: 'Needs the client_credentials grant, and a caller holding each of these scopes.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MANAGEMENT_SCOPES.length)
  @IsIn(MANAGEMENT_SCOPES, { each: true })
  management_api_scopes?: ManagementScope[];

  /** How the refresh tokens issued to the client from now on rotate and expire. */
  @ApiPropertyOptional({
    type: RefreshTokenBody,
    description:
      'Applies to tokens issued afterwards; a PATCH merges the given fields into the current policy.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RefreshTokenBody)
  refresh_token?: RefreshTokenBody;

  /** Auth0's `require_proof_of_possession`: every token request must carry a DPoP proof (RFC 9449). */
  @ApiPropertyOptional({
    description: 'Token requests without a DPoP proof (RFC 9449) are refused; the tokens are all key-bound.',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  require_proof_of_possession?: boolean;

  /**
   * Auth0's `allowed_clients`: who may target this client at `/delegation`. Unlike Auth0, empty means no
   * other client (issue 19 finding 10): a client that signs with its own HS256 secret is never made to sign
   * for a caller it did not name.
   */
  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_ALLOWED_CLIENTS,
    items: { type: 'string', minLength: 1, maxLength: 128 },
    default: [],
    description:
      'Client ids that may obtain delegation tokens for this client as their `target` at /delegation. ' +
      'Empty (the default): none but the client itself — Auth0 reads empty as every client.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ALLOWED_CLIENTS)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(128, { each: true })
  allowed_clients?: string[];
}

/**
 * Body of `PATCH /api/v2/clients/{id}`: any create field but the ones that would change how the client
 * authenticates or what it may do at the Management API (`app_type`, `token_endpoint_auth_method`,
 * `management_api_scopes`), which stay as created.
 */
export class UpdateClientBody extends PartialType(
  OmitType(CreateClientBody, ['app_type', 'token_endpoint_auth_method', 'management_api_scopes'] as const),
) {}

/** Query of `GET /api/v2/clients`. */
export class ListClientsQuery extends PagedFieldsQuery {
  /** Comma-separated application types to list. */
  @ApiPropertyOptional({
    maxLength: 128,
    pattern: `^(${APP_TYPES.join('|')})(,(${APP_TYPES.join('|')}))*$`,
    description: 'Comma-separated application types to list.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(new RegExp(`^(${APP_TYPES.join('|')})(,(${APP_TYPES.join('|')}))*$`), {
    message: `app_type must be a comma-separated list of ${APP_TYPES.join(', ')}`,
  })
  app_type?: string;
}

/** Query of `GET /api/v2/clients/{id}`. */
export class GetClientQuery extends FieldsQuery {}
