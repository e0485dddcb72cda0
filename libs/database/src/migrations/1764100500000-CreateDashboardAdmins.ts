import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard's administrators and their sessions. The first administrator is written at the first
 * start from `DASHBOARD_ADMIN_EMAIL` / `DASHBOARD_ADMIN_PASSWORD` (scrypt hash, never the password); a
 * session row holds only the keyed hash of its cookie, so reading this table gives no usable cookie.
 */
export class CreateDashboardAdmins1764100500000 implements MigrationInterface {
  name = 'CreateDashboardAdmins1764100500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE dashboard_admins (
        admin_id uuid PRIMARY KEY,
        email text NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX dashboard_admins_email_unique ON dashboard_admins (lower(email))`);
    await db.query(`
      CREATE TABLE dashboard_sessions (
        session_hash text PRIMARY KEY,
        admin_id uuid NOT NULL REFERENCES dashboard_admins (admin_id) ON DELETE CASCADE,
        flash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX dashboard_sessions_expires_at ON dashboard_sessions (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE dashboard_sessions');
    await db.query('DROP TABLE dashboard_admins');
  }
}
