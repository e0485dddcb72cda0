import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
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
import { SIGNING_ALGS, type SigningAlg } from '@libs/jwt';
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
import type { ClientSettingsInput } from './client-settings';

/** `jwt_configuration` of a client: the id_tokens it receives. */
export class JwtConfigurationBody {
  /** `exp - iat` of its id_tokens; Auth0 allows up to 30 days. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 2_592_000, default: 36_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_592_000)
  lifetime_in_seconds?: number;

  @ApiPropertyOptional({ enum: SIGNING_ALGS, default: 'RS256' })
  @IsOptional()
  @IsIn(SIGNING_ALGS)
  alg?: SigningAlg;
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
}

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
