import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auth0's `web_origins` ("Allowed Web Origins") and `allowed_origins` ("Allowed Origins (CORS)"): the page
 * origins a client lets call the Authentication API from a browser. Stored normalized
 * (`scheme://host[:port]`, or `scheme://*.domain` for Auth0's subdomain placeholder); existing clients get
 * none, so nothing becomes reachable from a browser until an administrator lists an origin.
 */
export class AddClientOrigins1764100700000 implements MigrationInterface {
  name = 'AddClientOrigins1764100700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE clients
        ADD COLUMN web_origins text[] NOT NULL DEFAULT '{}',
        ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE clients DROP COLUMN allowed_origins, DROP COLUMN web_origins');
  }
}
