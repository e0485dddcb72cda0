import type { StoredEnvelope } from '@libs/domain';
import { EVENT_COLUMNS } from '@libs/event-store';

/** Anything that runs a parameterised statement: a pg `Client`, a TypeORM `DataSource`. */
interface Sql {
  query(text: string, params: unknown[]): Promise<unknown>;
}

/**
 * Writes envelopes into `events` as they are, one INSERT each at the next global positions, as an
 * older release (or someone with the owner's connection) would have: no hashing, and, unless `queued`,
 * never relayed (the relay's checkpoint moves past them, see `markRelayed`).
 */
export async function insertStoredEvents(
  sql: Sql,
  events: readonly StoredEnvelope[],
  { queued = false } = {},
): Promise<void> {
  for (const e of events) {
    await sql.query(
      `INSERT INTO events (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        e.event_id,
        e.type,
        e.schema_version,
        e.stream_id,
        e.stream_version,
        e.occurred_at,
        e.correlation_id,
        e.causation_id,
        e.previous_hash,
        e.hash,
        JSON.stringify(e.data),
      ],
    );
  }
  if (!queued) await markRelayed(sql);
}

/**
 * Moves the outbox relay's checkpoint past every event in the store, as if all were published: what
 * was written around the write path (or copied from another store) is not queued for Kafka.
 */
export async function markRelayed(sql: Sql): Promise<void> {
  await sql.query(
    `UPDATE relay_checkpoint SET (transaction_id, global_position) =
       (SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1)
     WHERE EXISTS (SELECT 1 FROM events)`,
    [],
  );
}
