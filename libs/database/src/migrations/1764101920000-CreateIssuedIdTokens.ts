import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19 finding 9: the `jti` of each HS256 id_token this service signs that no credential of its
 * audience vouches for (a login without `offline_access`, its renewals, a delegation to another HS256
 * target). Its client holds the same secret and could sign such a token for any user: `/tokeninfo` and
 * `/delegation` believe one only when its jti is here. Rows past `expires_at` are never read and are
 * deleted by later inserts (oldest first, hence the index).
 */
export class CreateIssuedIdTokens1764101920000 implements MigrationInterface {
  name = 'CreateIssuedIdTokens1764101920000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE issued_id_tokens (
        jti text PRIMARY KEY,
        client_id text NOT NULL,
        user_id text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX issued_id_tokens_expires_at ON issued_id_tokens (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE issued_id_tokens');
  }
}
