import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: each client's refresh-token policy, Auth0's `refresh_token` client object (rotation, absolute
 * and idle lifetimes), as set through the Management API. `NULL` — every client created before — means the
 * legacy defaults (`LEGACY_REFRESH_TOKEN_POLICY`: no rotation, no expiry), so existing clients keep
 * issuing exactly the tokens they issued before. And whether the client must bind its tokens to a DPoP
 * key (Auth0's `require_proof_of_possession`; false for every client created before).
 */
export class AddClientRefreshTokenPolicy1764101700000 implements MigrationInterface {
  name = 'AddClientRefreshTokenPolicy1764101700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE clients ADD COLUMN refresh_token jsonb
        CHECK (refresh_token IS NULL OR jsonb_typeof(refresh_token) = 'object')`);
    // Auth0's `require_proof_of_possession`: the client's tokens must be DPoP-bound (RFC 9449).
    await db.query(
      `ALTER TABLE clients ADD COLUMN require_proof_of_possession boolean NOT NULL DEFAULT false`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE clients DROP COLUMN refresh_token, DROP COLUMN require_proof_of_possession`);
  }
}
