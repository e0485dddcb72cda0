import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One device credential as the Management API lists it (never the token or its hash). */
export interface DeviceCredentialSummary {
  id: string;
  device_name: string;
  device_id: string;
  type: 'refresh_token';
  user_id: string;
  client_id: string;
}

/** One device of a user, as the dashboard's Devices tab shows it. */
export interface UserDevice {
  client_id: string;
  device_name: string;
  token_count: number;
  created_at: Date;
  last_used_at: Date | null;
}

export interface DeviceCredentialFilter {
  userId?: string;
  clientId?: string;
  page: number;
  perPage: number;
}

// Read-your-revocations: a credential whose TokenRevoked the projector has not applied yet is not listed.
const ACTIVE = `d.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM events r WHERE r.stream_id = d.id AND r.type = 'TokenRevoked')`;

/** Reads of the device-credential view (the projection), for the Management API and the dashboard. */
@Injectable()
export class DeviceCredentialQueries {
  constructor(private readonly db: DataSource) {}

  /** Active refresh-token credentials, oldest first, one page; `total` counts every match. */
  async list(filter: DeviceCredentialFilter): Promise<{ items: DeviceCredentialSummary[]; total: number }> {
    const where = [ACTIVE];
    const params: unknown[] = [];
    if (filter.userId) where.push(`d.user_id = $${params.push(filter.userId)}`);
    if (filter.clientId) where.push(`d.client_id = $${params.push(filter.clientId)}`);
    const limit = params.push(filter.perPage);
    const offset = params.push(filter.page * filter.perPage);
    const rows: (DeviceCredentialSummary & { total: string })[] = await this.db.query(
      `SELECT d.id, d.device_name, d.id AS device_id, d.type, d.user_id, d.client_id, count(*) OVER () AS total
         FROM device_credentials d WHERE ${where.join(' AND ')}
        ORDER BY d.created_at, d.id LIMIT $${limit} OFFSET $${offset}`,
      params,
    );
    let total = rows.length > 0 ? Number(rows[0].total) : 0;
    if (rows.length === 0 && filter.page > 0) {
      const [{ n }] = await this.db.query(
        `SELECT count(*)::int AS n FROM device_credentials d WHERE ${where.join(' AND ')}`,
        params.slice(0, limit - 1),
      );
      total = n;
    }
    return { items: rows.map(({ total: _total, ...row }) => row), total };
  }

  /** Whether a credential exists at all (in the view or, not yet projected, in the event store). */
  async exists(id: string): Promise<boolean> {
    const [row] = await this.db.query(
      `SELECT 1 FROM device_credentials WHERE id = $1
       UNION ALL SELECT 1 FROM events WHERE stream_id = $1 AND stream_version = 1 LIMIT 1`,
      [id],
    );
    return Boolean(row);
  }

  /** A user's devices: active tokens grouped by (client, device name) with their count and times. */
  async devicesOf(userId: string): Promise<UserDevice[]> {
    const rows: (Omit<UserDevice, 'token_count'> & { token_count: string })[] = await this.db.query(
      `SELECT d.client_id, d.device_name, count(*) AS token_count, min(d.created_at) AS created_at,
              max(d.last_used_at) AS last_used_at
         FROM device_credentials d WHERE d.user_id = $1 AND ${ACTIVE}
        GROUP BY d.client_id, d.device_name ORDER BY d.device_name, d.client_id`,
      [userId],
    );
    return rows.map((r) => ({ ...r, token_count: Number(r.token_count) }));
  }
}
