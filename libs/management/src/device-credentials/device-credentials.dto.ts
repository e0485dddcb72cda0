import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ToBoolean, ToInteger } from '../http/list-params';

export const DEVICE_CREDENTIAL_FIELDS = [
  'id',
  'device_name',
  'device_id',
  'type',
  'user_id',
  'client_id',
] as const;
const FIELDS = new RegExp(
  `^(${DEVICE_CREDENTIAL_FIELDS.join('|')})(,(${DEVICE_CREDENTIAL_FIELDS.join('|')}))*$`,
);

/** Query of `GET /api/v2/device-credentials` (Auth0's parameters). */
export class ListDeviceCredentialsQuery {
  /** Comma-separated fields to include (or, with `include_fields=false`, to exclude). */
  @ApiPropertyOptional({
    maxLength: 256,
    pattern: FIELDS.source,
    description: 'Comma-separated fields to include (or, with `include_fields=false`, to exclude).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @Matches(FIELDS, {
    message: `fields must be a comma-separated list of: ${DEVICE_CREDENTIAL_FIELDS.join(', ')}`,
  })
  fields?: string;

  @ApiPropertyOptional({ type: Boolean, default: true })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_fields = true;

  /** 0-based page index. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: '0-based.' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  page = 0;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(1000)
  per_page = 50;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Answer `{start, limit, length, total, device_credentials}` instead of an array.',
  })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_totals = false;

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user_id?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  client_id?: string;

  @ApiPropertyOptional({
    enum: ['public_key', 'refresh_token', 'rotating_refresh_token'],
    description: 'Only refresh tokens live here: `public_key` lists as empty.',
  })
  @IsOptional()
  @IsIn(['public_key', 'refresh_token', 'rotating_refresh_token'])
  type?: 'public_key' | 'refresh_token' | 'rotating_refresh_token';
}
