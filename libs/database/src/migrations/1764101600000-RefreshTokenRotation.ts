import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: rotating and expiring refresh tokens.
 *
 * - `device_credentials` carries each credential's terms (whether it rotates, its leeway, its absolute
 *   end and idle lifetime), its last rotation and, once observed, its expiry (`status = 'expired'`).
 *   `token_hash` is the family's current token; rows written before stay legacy (no rotation, no expiry).
 * - The store finds a rotated token's stream by its hash as it finds an issued one's (unique, so no two
 *   families can ever share a token).
 */
export class RefreshTokenRotation1764101600000 implements MigrationInterface {
  name = 'RefreshTokenRotation1764101600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE device_credentials
        ADD COLUMN rotating boolean NOT NULL DEFAULT false,
        ADD COLUMN leeway integer NOT NULL DEFAULT 0,
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN idle_lifetime integer,
        ADD COLUMN rotated_at timestamptz,
        ADD COLUMN rotation_count integer NOT NULL DEFAULT 0,
        ADD COLUMN expired_at timestamptz,
        ADD COLUMN jkt text`);
    await db.query(`ALTER TABLE device_credentials DROP CONSTRAINT device_credentials_status_check`);
    await db.query(`
      ALTER TABLE device_credentials ADD CONSTRAINT device_credentials_status_check
        CHECK (status IN ('active', 'revoked', 'expired'))`);
    await db.query(`
      CREATE UNIQUE INDEX events_rotated_token_hash ON events ((data ->> 'token_hash')) WHERE type = 'TokenRotated'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX events_rotated_token_hash');
    await db.query(`DELETE FROM device_credentials WHERE status = 'expired'`);
    await db.query(`ALTER TABLE device_credentials DROP CONSTRAINT device_credentials_status_check`);
    await db.query(`
      ALTER TABLE device_credentials ADD CONSTRAINT device_credentials_status_check
        CHECK (status IN ('active', 'revoked'))`);
    await db.query(`
      ALTER TABLE device_credentials
        DROP COLUMN rotating, DROP COLUMN leeway, DROP COLUMN expires_at, DROP COLUMN idle_lifetime,
        DROP COLUMN rotated_at, DROP COLUMN rotation_count, DROP COLUMN expired_at, DROP COLUMN jkt`);
  }
}
