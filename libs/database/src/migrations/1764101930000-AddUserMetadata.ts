import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20 point 9: Auth0's `user_metadata` and `app_metadata` on users, JSON objects (`{}` for every
 * existing user, as Auth0 shows a user without metadata). A request's object is bounded by the
 * Management API (16 KiB serialized); the CHECKs bound what a series of merging PATCHes can grow the
 * stored object to, in jsonb's text form (which spaces its separators, hence the larger figure).
 */
export class AddUserMetadata1764101930000 implements MigrationInterface {
  name = 'AddUserMetadata1764101930000';

  async up(db: QueryRunner): Promise<void> {
    for (const column of ['user_metadata', 'app_metadata']) {
      await db.query(`ALTER TABLE users ADD COLUMN ${column} jsonb NOT NULL DEFAULT '{}'::jsonb`);
      await db.query(
        `ALTER TABLE users ADD CONSTRAINT users_${column}_bounded
           CHECK (jsonb_typeof(${column}) = 'object' AND octet_length(${column}::text) <= 32768)`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP COLUMN user_metadata, DROP COLUMN app_metadata`);
  }
}
