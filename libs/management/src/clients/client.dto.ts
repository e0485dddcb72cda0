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
import { MANAGEMENT_SCOPES, type ManagementScope } from '../management-scopes';
import {
  APP_TYPES,
  GRANT_TYPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type AppType,
  type GrantType,
  type TokenEndpointAuthMethod,
} from './client';
import type { ClientSettingsInput } from './client-settings';

/** `jwt_configuration` of a client: the id_tokens it receives. */
export class JwtConfigurationBody {
  /** `exp - iat` of its id_tokens; Auth0 allows up to 30 days. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_592_000)
  lifetime_in_seconds?: number;

  @IsOptional()
  @IsIn(SIGNING_ALGS)
  alg?: SigningAlg;
}

/** Body of `POST /api/v2/clients`. */
export class CreateClientBody implements ClientSettingsInput {
  // Auth0: at least one character, no `<` or `>` (names are shown in consent and login pages).
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  @Matches(/^[^<>]*$/, { message: 'name must not contain < or >' })
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(140)
  description?: string;

  @IsOptional()
  @IsIn(APP_TYPES)
  app_type?: AppType;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  callbacks?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(GRANT_TYPES.length)
  @IsIn(GRANT_TYPES, { each: true })
  grant_types?: GrantType[];

  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  token_endpoint_auth_method?: TokenEndpointAuthMethod;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => JwtConfigurationBody)
  jwt_configuration?: JwtConfigurationBody;

  /** Management API scopes granted to the client for the client_credentials grant. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MANAGEMENT_SCOPES.length)
  @IsIn(MANAGEMENT_SCOPES, { each: true })
  management_api_scopes?: ManagementScope[];
}

/** Query of `GET /api/v2/clients`. */
export class ListClientsQuery extends PagedFieldsQuery {
  /** Comma-separated application types to list. */
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
