import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: each client's refresh-token policy, Auth0's `refresh_token` client object (rotation, absolute
 * and idle lifetimes), as set through the Management API. `NULL` — every client created before — means the
 * legacy defaults (`LEGACY_REFRESH_TOKEN_POLICY`: no rotation, no expiry), so existing clients keep
 * issuing exactly the tokens they issued before.
 */
export class AddClientRefreshTokenPolicy1764101700000 implements MigrationInterface {
  name = 'AddClientRefreshTokenPolicy1764101700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE clients ADD COLUMN refresh_token jsonb
        CHECK (refresh_token IS NULL OR jsonb_typeof(refresh_token) = 'object')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE clients DROP COLUMN refresh_token`);
  }
}
