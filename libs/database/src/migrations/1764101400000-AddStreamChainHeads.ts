import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the projector needs to not trust the topic blindly, and what tracing needs to cross the outbox:
 *
 * - `projection_streams`: per projection and stream, the version and hash of the last event applied
 *   (updated in the projector's transaction, with the view and the checkpoint), and whether the stream
 *   is broken — an event whose link did not verify stopped it. The hot path reads it with the view row.
 *   Existing view rows start from their stream's event at the version they reflect.
 * - `events.traceparent`: the W3C trace context of the request that appended the event, so the relay
 *   can continue its trace on Kafka. Not part of the envelope nor of the hash: transport metadata.
 */
export class AddStreamChainHeads1764101400000 implements MigrationInterface {
  name = 'AddStreamChainHeads1764101400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events ADD COLUMN traceparent text`);
    await db.query(`
      CREATE TABLE projection_streams (
        projection text NOT NULL,
        stream_id text NOT NULL,
        version integer NOT NULL,
        last_hash text NOT NULL,
        broken_at timestamptz,
        broken_reason text,
        broken_event_id text,
        PRIMARY KEY (projection, stream_id)
      )`);
    await db.query(`
      INSERT INTO projection_streams (projection, stream_id, version, last_hash)
      SELECT 'device-credentials', v.id, v.version, e.hash
        FROM device_credentials v JOIN events e ON e.stream_id = v.id AND e.stream_version = v.version`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projection_streams');
    await db.query('ALTER TABLE events DROP COLUMN traceparent');
  }
}
