import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A confidential client's secret in recoverable form, next to its scrypt hash: HS256 id_tokens (Auth0's
 * legacy default) are signed with the client's secret, which a hash cannot give back. Sealed with
 * AES-256-GCM under a key derived from SERVER_SECRET, bound to the client id. Clients created before this
 * migration keep `NULL` — HS256 is refused for them until their secret is rotated. Also lets
 * `id_token_alg` be HS256, for clients with a secret only.
 */
export class AddClientSecretCipher1764100800000 implements MigrationInterface {
  name = 'AddClientSecretCipher1764100800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE clients ADD COLUMN client_secret_cipher text`);
    await db.query(`ALTER TABLE clients DROP CONSTRAINT clients_id_token_alg_check`);
    await db.query(
      `ALTER TABLE clients ADD CONSTRAINT clients_id_token_alg_check
         CHECK (id_token_alg IN ('RS256', 'ES256', 'HS256'))`,
    );
    // HS256 signs with the client secret: a client without one (public) cannot use it.
    await db.query(
      `ALTER TABLE clients ADD CONSTRAINT clients_hs256_needs_secret
         CHECK (id_token_alg <> 'HS256' OR client_secret_hash IS NOT NULL)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE clients DROP CONSTRAINT clients_hs256_needs_secret`);
    await db.query(`ALTER TABLE clients DROP CONSTRAINT clients_id_token_alg_check`);
    await db.query(
      `ALTER TABLE clients ADD CONSTRAINT clients_id_token_alg_check CHECK (id_token_alg IN ('RS256', 'ES256'))`,
    );
    await db.query(`ALTER TABLE clients DROP COLUMN client_secret_cipher`);
  }
}
