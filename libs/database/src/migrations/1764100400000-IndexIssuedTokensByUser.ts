import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finds every credential of a user (or of a user's device) in the event store itself, so revoking a
 * device or a blocked user's tokens also reaches tokens the projector has not applied yet.
 */
export class IndexIssuedTokensByUser1764100400000 implements MigrationInterface {
  name = 'IndexIssuedTokensByUser1764100400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX events_issued_by_user ON events ((data ->> 'user_id'), (data ->> 'client_id'), (data ->> 'device_name'))
      WHERE type = 'TokenIssued'`);
    await db.query(
      `CREATE INDEX device_credentials_active_user ON device_credentials (user_id) WHERE status = 'active'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX device_credentials_active_user');
    await db.query('DROP INDEX events_issued_by_user');
  }
}
