import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed refresh-token exchanges (`/delegation` and the refresh_token grant), for the auditors' trail.
 * A failure changes no state, so it is not an event: the event log stays the log of changes, and a
 * guessing run cannot grow the credential streams. Rows never hold the presented token nor its hash;
 * `credential_id`, `user_id` and `device_name` are set only when the token named a known credential
 * (revoked, another client's, a blocked or deleted user's). Append-only, like the event store.
 *
 * Also indexes `TokenIssued` by client and by device, so a trail finds a client's or a device's
 * credentials without scanning the store (partial indexes: exchanges, the hot path, do not maintain them).
 */
export class CreateDelegationFailures1764100600000 implements MigrationInterface {
  name = 'CreateDelegationFailures1764100600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE delegation_failures (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        endpoint text NOT NULL CHECK (endpoint IN ('delegation', 'refresh_token')),
        client_id text NOT NULL,
        credential_id text,
        user_id text,
        device_name text,
        reason text NOT NULL,
        ip text NOT NULL,
        correlation_id text NOT NULL
      )`);
    await db.query(
      `CREATE INDEX delegation_failures_credential ON delegation_failures (credential_id, occurred_at)
       WHERE credential_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX delegation_failures_user ON delegation_failures (user_id, occurred_at)
       WHERE user_id IS NOT NULL`,
    );
    await db.query(`CREATE INDEX delegation_failures_client ON delegation_failures (client_id, occurred_at)`);
    await db.query(
      `CREATE INDEX delegation_failures_device ON delegation_failures (device_name, occurred_at)
       WHERE device_name IS NOT NULL`,
    );
    await db.query(`
      CREATE FUNCTION delegation_failures_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'delegation_failures is append-only (% refused)', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER delegation_failures_append_only BEFORE UPDATE OR DELETE ON delegation_failures
      FOR EACH ROW EXECUTE FUNCTION delegation_failures_are_append_only()`);
    await db.query(
      `CREATE INDEX events_issued_by_client ON events ((data ->> 'client_id')) WHERE type = 'TokenIssued'`,
    );
    await db.query(
      `CREATE INDEX events_issued_by_device ON events ((data ->> 'device_name')) WHERE type = 'TokenIssued'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX events_issued_by_device');
    await db.query('DROP INDEX events_issued_by_client');
    await db.query('DROP TABLE delegation_failures');
    await db.query('DROP FUNCTION delegation_failures_are_append_only()');
  }
}
