import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RefreshTokenRow } from './refresh-token.view';

// A token in force: active in the view, not past its absolute or idle end (expiry is recorded only when
// someone presents the token), and no `TokenRevoked` or `TokenExpired` stored that the projector has not
// applied yet (read-your-revocations).
const IN_FORCE = `d.status = 'active'
  AND (d.expires_at IS NULL OR d.expires_at > now())
  AND (d.idle_lifetime IS NULL
       OR coalesce(d.last_used_at, d.created_at) + make_interval(secs => d.idle_lifetime) > now())
  AND NOT EXISTS (SELECT 1 FROM events r
                   WHERE r.stream_id = d.id AND r.type IN ('TokenRevoked', 'TokenExpired'))`;

const COLUMNS = `d.id, d.user_id, d.client_id, d.device_name, d.created_at, d.last_used_at, d.rotating,
  d.expires_at, d.idle_lifetime`;

/** Which of a user's tokens to read: Auth0's checkpoint paging, by id. */
export interface RefreshTokenPageQuery {
  userId: string;
  clientId?: string;
  /** The last id of the previous page (exclusive). */
  from?: string;
  take: number;
}

/** One refresh token as `GET /api/v2/device-credentials` lists it. */
export interface DeviceCredentialItem {
  id: string;
  device_name: string;
  device_id: string;
  type: 'refresh_token' | 'rotating_refresh_token';
  user_id: string;
  client_id: string;
}

/** Which device credentials to list: Auth0's offset paging. */
export interface DeviceCredentialQuery {
  userId?: string;
  clientId?: string;
  /** Only rotating (`rotating_refresh_token`) or only non-rotating (`refresh_token`) ones; both when absent. */
  rotating?: boolean;
  page: number;
  perPage: number;
}

/**
 * The Management API's reads of refresh tokens, from the view (`device_credentials`): those in force
 * only, whichever endpoint lists them.
 */
@Injectable()
export class RefreshTokenQueries {
  constructor(private readonly db: DataSource) {}

  /** The token in force with this id, or null (unknown, revoked, expired, or not projected yet). */
  async find(id: string): Promise<RefreshTokenRow | null> {
    const [row] = await this.db.query<RefreshTokenRow[]>(
      `SELECT ${COLUMNS} FROM device_credentials d WHERE d.id = $1 AND ${IN_FORCE}`,
      [id],
    );
    return row ?? null;
  }

  /** A page of a user's tokens in force, by id as Auth0 sorts them; `next` when more may follow. */
  async page(query: RefreshTokenPageQuery): Promise<{ tokens: RefreshTokenRow[]; next?: string }> {
    const params: unknown[] = [query.userId];
    const where = ['d.user_id = $1', IN_FORCE];
    if (query.clientId !== undefined) where.push(`d.client_id = $${params.push(query.clientId)}`);
    if (query.from !== undefined) where.push(`d.id > $${params.push(query.from)}`);
    // One row more than asked: whether it exists says whether there is a next page.
    const rows = await this.db.query<RefreshTokenRow[]>(
      `SELECT ${COLUMNS} FROM device_credentials d WHERE ${where.join(' AND ')}
        ORDER BY d.id LIMIT $${params.push(query.take + 1)}`,
      params,
    );
    const tokens = rows.slice(0, query.take);
    return rows.length > query.take ? { tokens, next: tokens[tokens.length - 1].id } : { tokens };
  }

  /** One page of device credentials, oldest first. */
  async deviceCredentials(query: DeviceCredentialQuery): Promise<DeviceCredentialItem[]> {
    const [where, params] = deviceCredentialFilter(query);
    return this.db.query<DeviceCredentialItem[]>(
      `SELECT d.id, d.device_name, d.id AS device_id,
              CASE WHEN d.rotating THEN 'rotating_refresh_token' ELSE 'refresh_token' END AS type,
              d.user_id, d.client_id
         FROM device_credentials d WHERE ${where}
        ORDER BY d.created_at, d.id
        LIMIT $${params.push(query.perPage)} OFFSET $${params.push(query.page * query.perPage)}`,
      params,
    );
  }

  /** How many device credentials match, over every page. */
  async countDeviceCredentials(query: DeviceCredentialQuery): Promise<number> {
    const [where, params] = deviceCredentialFilter(query);
    const [{ total }] = await this.db.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM device_credentials d WHERE ${where}`,
      params,
    );
    return total;
  }
}

function deviceCredentialFilter(query: DeviceCredentialQuery): [string, unknown[]] {
  const params: unknown[] = [];
  const where = [IN_FORCE];
  // An empty user_id or client_id filters nothing (as the list always answered).
  if (query.userId) where.push(`d.user_id = $${params.push(query.userId)}`);
  if (query.clientId) where.push(`d.client_id = $${params.push(query.clientId)}`);
  if (query.rotating !== undefined) where.push(`d.rotating = $${params.push(query.rotating)}`);
  return [where.join(' AND '), params];
}
