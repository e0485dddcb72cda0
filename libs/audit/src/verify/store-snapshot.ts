import type { Pool, PoolClient } from 'pg';
import { envelopeFromRow, EVENT_COLUMNS } from '@libs/event-store';

export type StoredRow = Parameters<typeof envelopeFromRow>[0] & { global_position: string };

/** Where an event sits in the store. */
export interface StoredEvent {
  event_id: string;
  stream_id: string;
  stream_version: number;
  hash: string;
  position: number;
}

/** An event of the store beyond what the topic carries, and whether the relay still has it queued. */
export interface UnpublishedEvent extends StoredEvent {
  pending: boolean;
}

const PAGE = 1_000;
const stored = (row: {
  event_id: string;
  stream_id: string;
  stream_version: number;
  hash: string;
  global_position: string;
}): StoredEvent => ({
  event_id: row.event_id,
  stream_id: row.stream_id,
  stream_version: Number(row.stream_version),
  hash: row.hash,
  position: Number(row.global_position),
});

/**
 * One consistent view of the store for a whole verification: a REPEATABLE READ, read-only transaction,
 * so an append committing meanwhile cannot appear as a hole (positions are assigned before commit,
 * and commits can land out of position order). The store is read by global position, a page at a
 * time. Holds one connection until `close`.
 */
export class StoreSnapshot {
  private constructor(
    private readonly client: PoolClient,
    private readonly pool: Pool,
  ) {}

  static async open(pool: Pool): Promise<StoreSnapshot> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query('SELECT 1 FROM events LIMIT 1'); // the snapshot is taken by the first statement
      return new StoreSnapshot(client, pool);
    } catch (error) {
      client.release();
      throw error;
    }
  }

  /** Every event, by global position, `PAGE` rows at a time. */
  async *pages(): AsyncGenerator<StoredRow[]> {
    let after = '0';
    for (;;) {
      const { rows } = await this.client.query<StoredRow>(
        `SELECT global_position, ${EVENT_COLUMNS} FROM events WHERE global_position > $1
          ORDER BY global_position LIMIT ${PAGE}`,
        [after],
      );
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1].global_position;
    }
  }

  /** The events with these ids, by id. */
  async byIds(ids: string[]): Promise<Map<string, StoredEvent>> {
    const { rows } = await this.client.query(
      `SELECT event_id, stream_id, stream_version, hash, global_position FROM events WHERE event_id = ANY ($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.event_id, stored(row)]));
  }

  /** The event at each (stream, version), keyed `stream|version`. */
  async atVersions(keys: { stream: string; version: number }[]): Promise<Map<string, StoredEvent>> {
    if (keys.length === 0) return new Map();
    const { rows } = await this.client.query(
      `SELECT e.event_id, e.stream_id, e.stream_version, e.hash, e.global_position
         FROM unnest($1::text[], $2::int[]) AS k(stream_id, stream_version)
         JOIN events e USING (stream_id, stream_version)`,
      [keys.map((k) => k.stream), keys.map((k) => k.version)],
    );
    return new Map(rows.map((row) => [`${row.stream_id}|${row.stream_version}`, stored(row)]));
  }

  /** The events with these hashes in these streams, keyed `stream|hash`. */
  async byHashes(keys: { stream: string; hash: string }[]): Promise<Map<string, StoredEvent>> {
    if (keys.length === 0) return new Map();
    const { rows } = await this.client.query(
      `SELECT e.event_id, e.stream_id, e.stream_version, e.hash, e.global_position
         FROM unnest($1::text[], $2::text[]) AS k(stream_id, hash)
         JOIN events e USING (stream_id, hash)`,
      [keys.map((k) => k.stream), keys.map((k) => k.hash)],
    );
    return new Map(rows.map((row) => [`${row.stream_id}|${row.hash}`, stored(row)]));
  }

  /** Each stream's events after a version, with whether their outbox row is still queued. */
  async after(streams: { stream: string; version: number }[]): Promise<UnpublishedEvent[]> {
    if (streams.length === 0) return [];
    const { rows } = await this.client.query(
      `SELECT e.event_id, e.stream_id, e.stream_version, e.hash, e.global_position,
              EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.event_id) AS pending
         FROM unnest($1::text[], $2::int[]) AS k(stream_id, after_version)
         JOIN events e ON e.stream_id = k.stream_id AND e.stream_version > k.after_version
        ORDER BY e.global_position`,
      [streams.map((s) => s.stream), streams.map((s) => s.version)],
    );
    return rows.map((row) => ({ ...stored(row), pending: row.pending as boolean }));
  }

  /**
   * The events with these ids as the store has them NOW, outside the snapshot: a message published
   * after the snapshot was taken is newer, not injected.
   */
  async committedSince(ids: string[]): Promise<Map<string, StoredEvent>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query(
      `SELECT event_id, stream_id, stream_version, hash, global_position FROM events WHERE event_id = ANY ($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.event_id, stored(row)]));
  }

  async close(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
    this.client.release();
  }
}
