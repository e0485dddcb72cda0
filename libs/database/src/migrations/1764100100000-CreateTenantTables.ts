import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * State-stored tenant data: applications (clients), users, signing keys and authorization codes.
 * Only the refresh-token lifecycle is event-sourced; these tables are ordinary rows.
 */
export class CreateTenantTables1764100100000 implements MigrationInterface {
  name = 'CreateTenantTables1764100100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE clients (
        client_id text PRIMARY KEY,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        app_type text NOT NULL CHECK (app_type IN ('native', 'spa', 'regular_web', 'non_interactive')),
        callbacks text[] NOT NULL DEFAULT '{}',
        grant_types text[] NOT NULL DEFAULT '{}',
        token_endpoint_auth_method text NOT NULL
          CHECK (token_endpoint_auth_method IN ('none', 'client_secret_post', 'client_secret_basic')),
        client_secret_hash text,
        id_token_lifetime_seconds integer NOT NULL DEFAULT 36000 CHECK (id_token_lifetime_seconds > 0),
        id_token_alg text NOT NULL DEFAULT 'RS256' CHECK (id_token_alg IN ('RS256', 'ES256')),
        management_scopes text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE users (
        user_id text PRIMARY KEY,
        connection text NOT NULL DEFAULT 'Username-Password-Authentication',
        email text NOT NULL,
        email_verified boolean NOT NULL DEFAULT false,
        name text NOT NULL,
        nickname text NOT NULL,
        picture text,
        password_hash text NOT NULL,
        blocked boolean NOT NULL DEFAULT false,
        logins_count integer NOT NULL DEFAULT 0,
        last_login timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX users_email_unique ON users (connection, lower(email))`);
    await db.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        alg text NOT NULL CHECK (alg IN ('RS256', 'ES256')),
        public_jwk jsonb NOT NULL,
        private_jwk_encrypted text NOT NULL,
        status text NOT NULL CHECK (status IN ('current', 'previous', 'retired')),
        created_at timestamptz NOT NULL DEFAULT now(),
        rotated_at timestamptz,
        retire_after timestamptz
      )`);
    await db.query(
      `CREATE UNIQUE INDEX signing_keys_one_current_per_alg ON signing_keys (alg) WHERE status = 'current'`,
    );
    await db.query(`
      CREATE TABLE authorization_codes (
        code_hash text PRIMARY KEY,
        client_id text NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
        user_id text NOT NULL,
        redirect_uri text NOT NULL,
        scope text NOT NULL,
        device text,
        nonce text,
        code_challenge text,
        code_challenge_method text,
        auth_time timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        credential_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE authorization_codes');
    await db.query('DROP TABLE signing_keys');
    await db.query('DROP TABLE users');
    await db.query('DROP TABLE clients');
  }
}
