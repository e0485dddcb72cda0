import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { FieldsQuery, PagedFieldsQuery } from '../http/list-params';
import { PASSWORD_POLICY } from './user';
import type { CreateUserInput, UpdateUserInput } from './user-input';

// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254 characters.
const EMAIL_MAX = 254;
const PICTURE_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** Body of `POST /api/v2/users`. */
export class CreateUserBody implements CreateUserInput {
  /** Must be `Username-Password-Authentication`, the tenant's only connection. */
  @IsString()
  @MaxLength(128)
  connection: string;

  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  email: string;

  /** The policy's minimum length is checked by the use case, with Auth0's `invalid_password` code. */
  @IsString()
  @MaxLength(PASSWORD_POLICY.maxLength)
  password: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  name?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  nickname?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(PICTURE_URL)
  picture?: string;

  @IsOptional()
  @IsBoolean()
  email_verified?: boolean;

  @IsOptional()
  @IsBoolean()
  blocked?: boolean;
}

/** Body of `PATCH /api/v2/users/{id}`: every field optional, at least one present. */
export class UpdateUserBody implements UpdateUserInput {
  /** Auth0 names the connection when changing email or password; only the tenant's one is accepted. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  connection?: string;

  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_POLICY.maxLength)
  password?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  name?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  nickname?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(PICTURE_URL)
  picture?: string;

  @IsOptional()
  @IsBoolean()
  email_verified?: boolean;

  @IsOptional()
  @IsBoolean()
  blocked?: boolean;
}

/** Query of `GET /api/v2/users`. */
export class ListUsersQuery extends PagedFieldsQuery {
  /** Auth0's search syntax (the supported subset, see `parseUserSearch`). */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  q?: string;

  /** Exact email, without regard to case. */
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX)
  email?: string;

  /** `field:1` (ascending) or `field:-1` (descending). */
  @IsOptional()
  @IsString()
  @Matches(/^(created_at|updated_at|last_login|logins_count|email|name|user_id):(1|-1)$/, {
    message:
      'sort must be <field>:1 or <field>:-1 with field one of created_at, updated_at, last_login, logins_count, email, name, user_id',
  })
  sort?: string;

  /** Accepted for compatibility with Auth0 SDKs that send it; there is one search engine. */
  @IsOptional()
  @IsIn(['v1', 'v2', 'v3'])
  search_engine?: string;
}

/** Query of `GET /api/v2/users-by-email`. */
export class UsersByEmailQuery extends FieldsQuery {
  @IsString()
  @MaxLength(EMAIL_MAX)
  email: string;
}

/** Query of `GET /api/v2/users/{id}`. */
export class GetUserQuery extends FieldsQuery {}
