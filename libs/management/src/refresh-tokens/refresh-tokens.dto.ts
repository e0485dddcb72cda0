import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { FieldsQuery, ToInteger } from '../http/list-params';

/** Auth0's checkpoint paging of refresh tokens: `from` (the previous page's `next`) and `take`. */
export class RefreshTokenPageQuery {
  @ApiPropertyOptional({
    maxLength: 64,
    description: 'The `next` of the previous page: the list goes on after that token (exclusive).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  from?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  take = 50;
}

/** Query of `GET /api/v2/refresh-tokens`: one user's tokens, of one application when `client_id` is given. */
export class ListRefreshTokensQuery extends IntersectionType(RefreshTokenPageQuery, FieldsQuery) {
  @ApiProperty({ maxLength: 256, description: 'Whose tokens (required).' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  user_id: string;

  @ApiPropertyOptional({ maxLength: 128, description: "Only this application's tokens." })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  client_id?: string;
}

/**
 * Body of `POST /api/v2/refresh-tokens/revoke` (Auth0's bulk revocation): `ids`, or `user_id`, or
 * `user_id` with `client_id`. Auth0's `audience` (tokens here are bound to no API) and `client_id` alone
 * are not offered.
 */
export class RevokeRefreshTokensBody {
  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: 100, description: 'Token ids (`dcr_…`).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ids?: string[];

  @ApiPropertyOptional({ maxLength: 256, description: 'Every token of this user.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  user_id?: string;

  @ApiPropertyOptional({
    maxLength: 128,
    description: "With `user_id`: only that user's tokens of this application.",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  client_id?: string;
}
