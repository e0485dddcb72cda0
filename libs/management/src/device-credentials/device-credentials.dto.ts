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
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @Matches(FIELDS, {
    message: `fields must be a comma-separated list of: ${DEVICE_CREDENTIAL_FIELDS.join(', ')}`,
  })
  fields?: string;

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_fields = true;

  /** 0-based page index. */
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  page = 0;

  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(1000)
  per_page = 50;

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_totals = false;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  user_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  client_id?: string;

  @IsOptional()
  @IsIn(['public_key', 'refresh_token', 'rotating_refresh_token'])
  type?: 'public_key' | 'refresh_token' | 'rotating_refresh_token';
}
