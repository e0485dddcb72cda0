import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The device-credential view the projector maintains from the event log, and the write-side index
 * that finds a credential's stream by its token hash before the projector has caught up.
 */
export class CreateDeviceCredentialView1764100200000 implements MigrationInterface {
  name = 'CreateDeviceCredentialView1764100200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE device_credentials (
        id text PRIMARY KEY,
        user_id text NOT NULL,
        client_id text NOT NULL,
        device_name text NOT NULL,
        type text NOT NULL DEFAULT 'refresh_token',
        token_hash text NOT NULL UNIQUE,
        scope text NOT NULL,
        grant_type text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'revoked')),
        created_at timestamptz NOT NULL,
        last_used_at timestamptz,
        delegation_count integer NOT NULL DEFAULT 0,
        revoked_at timestamptz,
        revoke_reason text,
        version integer NOT NULL
      )`);
    await db.query(
      `CREATE INDEX device_credentials_user ON device_credentials (user_id, client_id, device_name)`,
    );
    await db.query(`CREATE INDEX device_credentials_client ON device_credentials (client_id)`);
    await db.query(`
      CREATE UNIQUE INDEX events_token_hash ON events ((data ->> 'token_hash')) WHERE type = 'TokenIssued'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX events_token_hash');
    await db.query('DROP TABLE device_credentials');
  }
}
