import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { randomToken } from '@libs/security';
import { PasswordHashing } from '@libs/tenants';
import { DashboardAdmins, type DashboardAdmin } from './dashboard-admins';

/** `DashboardAdmins` over the `dashboard_admins` table. */
@Injectable()
export class PostgresDashboardAdmins extends DashboardAdmins {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly db: DataSource,
    private readonly passwords: PasswordHashing,
  ) {
    super();
  }

  async verifyPassword(email: string, password: string): Promise<DashboardAdmin | null> {
    // PostgreSQL text cannot hold NUL (the query would fail): no administrator has such an email.
    if (email.includes('\u0000')) return null;
    const [row] = await this.db.query<{ admin_id: string; email: string; password_hash: string }[]>(
      `SELECT admin_id, email, password_hash FROM dashboard_admins WHERE lower(email) = lower($1)`,
      [email.trim()],
    );
    // An unknown email costs the same scrypt run as a known one, in the process's bounded hashing.
    this.dummyHash ??= this.passwords.hash(randomToken());
    const matches = await this.passwords.verify(password, row?.password_hash ?? (await this.dummyHash));
    return row && matches ? { adminId: row.admin_id, email: row.email } : null;
  }

  async createFirst(email: string, password: string): Promise<boolean> {
    const [{ any }] = await this.db.query<{ any: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM dashboard_admins) AS any`,
    );
    if (any) return false;
    // Two instances starting at once both see an empty table; the unique email index lets one row in.
    const inserted = await this.db.query<{ admin_id: string }[]>(
      `INSERT INTO dashboard_admins (admin_id, email, password_hash)
       SELECT $1, lower($2), $3 WHERE NOT EXISTS (SELECT 1 FROM dashboard_admins)
       ON CONFLICT DO NOTHING RETURNING admin_id`,
      [randomUUID(), email, await this.passwords.hash(password)],
    );
    return inserted.length > 0;
  }
}
