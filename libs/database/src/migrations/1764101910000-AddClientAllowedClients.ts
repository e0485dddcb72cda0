import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19 finding 10: Auth0's `allowed_clients` on a client — the other clients that may obtain
 * delegation tokens for it as their `target`. Every existing client gets the empty list, which here means
 * "no other client" (Auth0 reads it as "every client"): until a target lists its callers, a public client
 * can no longer have id_tokens signed with a confidential target's HS256 secret. docs/auth0-surface.md
 * says how to restore a delegation a tenant relies on.
 */
export class AddClientAllowedClients1764101910000 implements MigrationInterface {
  name = 'AddClientAllowedClients1764101910000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE clients ADD COLUMN allowed_clients text[] NOT NULL DEFAULT '{}'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE clients DROP COLUMN allowed_clients`);
  }
}
