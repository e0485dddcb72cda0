import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretKeys } from '@libs/security';
import { DashboardSessions, type DashboardSession } from './dashboard-sessions';
import type { DashboardAdmin } from '../admins/dashboard-admins';
import { isExpired, newSessionToken, sessionExpiry, sessionHash } from './session-token';

/**
 * `DashboardSessions` over the `dashboard_sessions` table.
 *
 * Why a table and not a signed cookie: logging out must end the session on the server (OWASP Session
 * Management cheat sheet), so a cookie copied before the logout is worthless after it; a signed cookie
 * would stay valid until it expires. One primary-key read per dashboard request is cheap.
 */
@Injectable()
export class PostgresDashboardSessions extends DashboardSessions {
  constructor(
    private readonly db: DataSource,
    private readonly keys: SecretKeys,
  ) {
    super();
  }

  async start(admin: DashboardAdmin, now: Date): Promise<{ token: string; expiresAt: Date }> {
    // Housekeeping on the rare write path: expired sessions are refused anyway, this only reclaims rows.
    await this.db.query(`DELETE FROM dashboard_sessions WHERE expires_at <= $1`, [now]);
    const token = newSessionToken();
    const expiresAt = sessionExpiry(now);
    await this.db.query(
      `INSERT INTO dashboard_sessions (session_hash, admin_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
      [this.hash(token), admin.adminId, now, expiresAt],
    );
    return { token, expiresAt };
  }

  async find(token: string, now: Date): Promise<DashboardSession | null> {
    const [row] = await this.db.query<
      { admin_id: string; email: string; expires_at: Date; has_flash: boolean }[]
    >(
      `SELECT s.admin_id, a.email, s.expires_at, s.flash IS NOT NULL AS has_flash
         FROM dashboard_sessions s JOIN dashboard_admins a USING (admin_id)
        WHERE s.session_hash = ANY($1::text[])`,
      [this.hashes(token)],
    );
    if (!row || isExpired(row.expires_at, now)) return null;
    return {
      token,
      admin: { adminId: row.admin_id, email: row.email },
      expiresAt: row.expires_at,
      hasFlash: row.has_flash,
    };
  }

  async end(token: string): Promise<void> {
    await this.db.query(`DELETE FROM dashboard_sessions WHERE session_hash = ANY($1::text[])`, [
      this.hashes(token),
    ]);
  }

  async setFlash(token: string, message: string): Promise<void> {
    await this.db.query(`UPDATE dashboard_sessions SET flash = $2 WHERE session_hash = ANY($1::text[])`, [
      this.hashes(token),
      // A message may quote the request (a device name); PostgreSQL text cannot hold NUL.
      message.replaceAll('\u0000', '\uFFFD'),
    ]);
  }

  async takeFlash(token: string): Promise<string | null> {
    // The FROM row is the one before the update: read and clear in one statement.
    const [rows] = await this.db.query<[{ flash: string }[], number]>(
      `UPDATE dashboard_sessions s SET flash = NULL
         FROM dashboard_sessions prev
        WHERE s.session_hash = ANY($1::text[]) AND prev.session_hash = s.session_hash AND prev.flash IS NOT NULL
        RETURNING prev.flash`,
      [this.hashes(token)],
    );
    return rows[0]?.flash ?? null;
  }

  private hash(token: string): string {
    return sessionHash(this.keys.key('session'), token);
  }

  // A session started before SERVER_SECRET rotated is stored under a previous secret's key: every accepted
  // key's hash is looked up at once (a dashboard request, not the hot path).
  private hashes(token: string): string[] {
    return this.keys.acceptedKeys('session').map(({ key }) => sessionHash(key, token));
  }
}
