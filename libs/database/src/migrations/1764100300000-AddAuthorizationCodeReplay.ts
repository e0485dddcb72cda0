import { MigrationInterface, QueryRunner } from 'typeorm';

/** When a used authorization code was presented again (RFC 6749 §4.1.2: revoke what it issued). */
export class AddAuthorizationCodeReplay1764100300000 implements MigrationInterface {
  name = 'AddAuthorizationCodeReplay1764100300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE authorization_codes ADD COLUMN replayed_at timestamptz');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE authorization_codes DROP COLUMN replayed_at');
  }
}
