import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { FieldsQuery, PagedFieldsQuery } from '../http/list-params';
import { METADATA_LIMITS, PASSWORD_POLICY, USER_CONNECTION, type Metadata } from '@libs/tenants';
import type { CreateUserInput, UpdateUserInput } from './user-input';

/** Swagger for `user_metadata` / `app_metadata`; `assertMetadata` checks the rest in the use case. */
const metadataProperty = (what: string, onPatch: boolean) =>
  ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      `${what} A JSON object; field names without \`.\` or \`$\`, at most ${METADATA_LIMITS.maxDepth} levels ` +
      `deep and ${METADATA_LIMITS.maxBytes} bytes serialized.` +
      (onPatch
        ? ' Merged into the stored object by top-level key (a nested object is replaced whole); a `null` ' +
          'value removes its key; `{}` removes every key.'
        : ''),
  });
const USER_METADATA = 'What the user may edit (preferences).';
const APP_METADATA = 'What only administrators set (roles, plan, ids elsewhere).';

// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254 characters.
const EMAIL_MAX = 254;
const PICTURE_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** Body of `POST /api/v2/users`. */
export class CreateUserBody implements CreateUserInput {
  /** Must be `Username-Password-Authentication`, the tenant's only connection. */
  @ApiProperty({ maxLength: 128, enum: [USER_CONNECTION], description: 'The tenant’s only connection.' })
  @IsString()
  @MaxLength(128)
  connection: string;

  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX })
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  email: string;

  /** The policy's minimum length is checked by the use case, with Auth0's `invalid_password` code. */
  @ApiProperty({ minLength: PASSWORD_POLICY.minLength, maxLength: PASSWORD_POLICY.maxLength })
  @IsString()
  @MaxLength(PASSWORD_POLICY.maxLength)
  password: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 300, description: 'Default: the email.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  name?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 300, description: 'Default: the email’s local part.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  nickname?: string;

  @ApiPropertyOptional({
    format: 'uri',
    maxLength: 2048,
    description: 'http(s); default: the email’s Gravatar.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(PICTURE_URL)
  picture?: string;

  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @IsBoolean()
  email_verified?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Blocking revokes all the user’s refresh tokens.',
  })
  @IsOptional()
  @IsBoolean()
  blocked?: boolean;

  @metadataProperty(USER_METADATA, false)
  @IsOptional()
  @IsObject()
  user_metadata?: Metadata;

  @metadataProperty(APP_METADATA, false)
  @IsOptional()
  @IsObject()
  app_metadata?: Metadata;
}

/** Body of `PATCH /api/v2/users/{id}`: every field optional, at least one present. */
export class UpdateUserBody implements UpdateUserInput {
  /** Auth0 names the connection when changing email or password; only the tenant's one is accepted. */
  @ApiPropertyOptional({ maxLength: 128, enum: [USER_CONNECTION] })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  connection?: string;

  @ApiPropertyOptional({ format: 'email', maxLength: EMAIL_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ minLength: PASSWORD_POLICY.minLength, maxLength: PASSWORD_POLICY.maxLength })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_POLICY.maxLength)
  password?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 300 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  name?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 300 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  nickname?: string;

  @ApiPropertyOptional({ format: 'uri', maxLength: 2048, description: 'http(s).' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(PICTURE_URL)
  picture?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @IsBoolean()
  email_verified?: boolean;

  @ApiPropertyOptional({ type: Boolean, description: 'Blocking revokes all the user’s refresh tokens.' })
  @IsOptional()
  @IsBoolean()
  blocked?: boolean;

  @metadataProperty(USER_METADATA, true)
  @IsOptional()
  @IsObject()
  user_metadata?: Metadata;

  @metadataProperty(APP_METADATA, true)
  @IsOptional()
  @IsObject()
  app_metadata?: Metadata;
}

/** Query of `GET /api/v2/users`. */
export class ListUsersQuery extends PagedFieldsQuery {
  /** Auth0's search syntax (the supported subset, see `parseUserSearch`). */
  @ApiPropertyOptional({
    maxLength: 1024,
    description:
      'Auth0 search syntax (subset): `email:"jane@example.com"`, `name:jane*`, `blocked:true`, bare words, joined by spaces or AND.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  q?: string;

  /** Exact email, without regard to case. */
  @ApiPropertyOptional({ maxLength: EMAIL_MAX, description: 'Exact email, without regard to case.' })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX)
  email?: string;

  /** `field:1` (ascending) or `field:-1` (descending). */
  @ApiPropertyOptional({
    pattern: '^(created_at|updated_at|last_login|logins_count|email|name|user_id):(1|-1)$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^(created_at|updated_at|last_login|logins_count|email|name|user_id):(1|-1)$/, {
    message:
      'sort must be <field>:1 or <field>:-1 with field one of created_at, updated_at, last_login, logins_count, email, name, user_id',
  })
  sort?: string;

  /** Accepted for compatibility with Auth0 SDKs that send it; there is one search engine. */
  @ApiPropertyOptional({ enum: ['v1', 'v2', 'v3'], description: 'Accepted for SDK compatibility.' })
  @IsOptional()
  @IsIn(['v1', 'v2', 'v3'])
  search_engine?: string;
}

/** Query of `GET /api/v2/users-by-email`. */
export class UsersByEmailQuery extends FieldsQuery {
  @ApiProperty({ maxLength: EMAIL_MAX })
  @IsString()
  @MaxLength(EMAIL_MAX)
  email: string;
}

/** Query of `GET /api/v2/users/{id}`. */
export class GetUserQuery extends FieldsQuery {}
