import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay tails `events` by position instead of draining an outbox table (issue 12): no outbox row is
 * inserted and deleted per event any more. Each event row records the id of the transaction that wrote
 * it (`transaction_id`, `pg_current_xact_id()`); the relay publishes in `(transaction_id,
 * global_position)` order, only rows whose transaction id is below the `xmin` of its statement's
 * snapshot — every transaction below it has ended, and every one still running or yet to start has an id
 * at or above it — and stores how far it got in `relay_checkpoint`. A transaction that took a position
 * early and commits late is therefore never skipped: until it ends, it holds `xmin` at or below its own
 * id, and the checkpoint cannot pass it.
 *
 * `outbox` stays as a VIEW of what the relay has not published yet (position, event_id, message_key,
 * created_at), so depth metrics, audits and operators' queries keep working.
 *
 * Events already in the table get this migration's transaction id; the checkpoint starts just before
 * the oldest event the outbox still held (or after the last event when it was empty), so nothing that
 * was queued is lost — a published event after it may be published again (at least once, as before).
 */
export class RelayTailsTheEventTable1764101500000 implements MigrationInterface {
  name = 'RelayTailsTheEventTable1764101500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await db.query(`CREATE INDEX events_relay_order ON events (transaction_id, global_position)`);
    await db.query(`
      CREATE TABLE relay_checkpoint (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        transaction_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Every existing row has one transaction id (the ALTER's); '0' when there is none.
    await db.query(`
      INSERT INTO relay_checkpoint (transaction_id, global_position)
      SELECT coalesce((SELECT transaction_id FROM events LIMIT 1), '0'::xid8),
             coalesce((SELECT min(e.global_position) - 1 FROM outbox o JOIN events e USING (event_id)),
                      (SELECT max(global_position) FROM events),
                      0)`);
    await db.query('DROP TABLE outbox');
    await db.query(`
      CREATE VIEW outbox AS
      SELECT e.global_position AS position, e.event_id, e.stream_id AS message_key, e.occurred_at AS created_at
        FROM events e, relay_checkpoint c
       WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox_pending AS
      SELECT event_id, message_key FROM outbox ORDER BY position`);
    await db.query('DROP VIEW outbox');
    await db.query(`
      CREATE TABLE outbox (
        position bigserial PRIMARY KEY,
        event_id uuid NOT NULL REFERENCES events (event_id),
        topic text NOT NULL,
        message_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The topic was not stored per event: the relay of the release that reads this table publishes to its
    // configured topic, whatever the column says.
    await db.query(`
      INSERT INTO outbox (event_id, topic, message_key)
      SELECT event_id, 'events', message_key FROM outbox_pending`);
    await db.query('DROP TABLE outbox_pending');
    await db.query('DROP TABLE relay_checkpoint');
    await db.query('DROP INDEX events_relay_order');
    await db.query('ALTER TABLE events DROP COLUMN transaction_id');
  }
}
