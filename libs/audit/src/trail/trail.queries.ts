import { DataSource } from 'typeorm';
import { pgPool } from '@libs/database';
import { upcast, type TokenIssued } from '@libs/domain';
import { envelopeFromRow, EVENT_COLUMNS } from '@libs/event-store';
import {
  entryFromEvent,
  entryFromFailure,
  type CredentialFacts,
  type FailureRow,
  type TrailEntry,
} from './trail-entry';
import type { TrailFilter } from './trail-options';

type EventRow = Parameters<typeof envelopeFromRow>[0];

// Each uses an index: the stream's own, or the partial TokenIssued indexes by user, client, device.
const ISSUED_BY: Record<TrailFilter['by'], string> = {
  credential: `stream_id = $1`,
  user: `data ->> 'user_id' = $1`,
  client: `data ->> 'client_id' = $1`,
  device: `data ->> 'device_name' = $1`,
};

// A failure names a credential only when the presented token was a known one; a client's trail also
// shows its credentials presented by another client.
const FAILED_BY: Record<TrailFilter['by'], string> = {
  credential: `f.credential_id = $4`,
  user: `f.user_id = $4`,
  client: `(f.client_id = $4 OR f.credential_id = ANY ($1::text[]))`,
  device: `f.device_name = $4`,
};

const WINDOW = (column: string) =>
  `($2::timestamptz IS NULL OR ${column} >= $2) AND ($3::timestamptz IS NULL OR ${column} < $3)`;

// The credentials' streams and the matching failures, ordered by time, then by store position.
const entriesSql = (by: TrailFilter['by']) => `
  SELECT 0 AS kind, e.global_position AS position, e.occurred_at, e.event_id, e.type, e.schema_version,
         e.stream_id, e.stream_version, e.correlation_id, e.causation_id, e.previous_hash, e.hash, e.data,
         NULL::text AS endpoint, NULL::text AS client_id, NULL::text AS credential_id, NULL::text AS user_id,
         NULL::text AS device_name, NULL::text AS reason, NULL::text AS ip
    FROM events e
   WHERE e.stream_id = ANY ($1::text[]) AND ${WINDOW('e.occurred_at')}
  UNION ALL
  SELECT 1, f.id, f.occurred_at, NULL, NULL, NULL, NULL, NULL, f.correlation_id, NULL, NULL, NULL, NULL,
         f.endpoint, f.client_id, f.credential_id, f.user_id, f.device_name, f.reason, f.ip
    FROM delegation_failures f
   WHERE ${FAILED_BY[by]} AND ${WINDOW('f.occurred_at')}
  ORDER BY occurred_at, kind, position`;

type EntryRow = EventRow & Omit<FailureRow, 'id'> & { kind: 0 | 1; position: string };

/** The trail's reads: the credentials a filter names, then their history page by page. */
export class TrailQueries {
  constructor(private readonly db: DataSource) {}

  /** The credentials `filter` names, each with whom it belongs to (from its `TokenIssued`, upcast). */
  async credentials(filter: TrailFilter): Promise<Map<string, CredentialFacts>> {
    const { rows } = await pgPool(this.db).query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE type = 'TokenIssued' AND ${ISSUED_BY[filter.by]}`,
      [filter.value],
    );
    const facts = new Map<string, CredentialFacts>();
    for (const row of rows) {
      const { data } = upcast(envelopeFromRow(row)) as { data: TokenIssued['data'] };
      facts.set(row.stream_id, {
        userId: data.user_id,
        clientId: data.client_id,
        deviceName: data.device_name,
      });
    }
    return facts;
  }

  /**
   * The trail of `credentials` plus the failures `filter` matches, in order, `pageSize` entries at a
   * time, read through a cursor in one read-only transaction (a consistent snapshot, held only while
   * the caller iterates).
   */
  async *entries(
    filter: TrailFilter,
    window: { since?: Date; until?: Date },
    credentials: Map<string, CredentialFacts>,
    pageSize = 500,
  ): AsyncGenerator<TrailEntry[]> {
    const streams = filter.by === 'credential' ? [filter.value] : [...credentials.keys()];
    const client = await pgPool(this.db).connect();
    let open = true;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE trail NO SCROLL CURSOR FOR ${entriesSql(filter.by)}`, [
        streams,
        window.since ?? null,
        window.until ?? null,
        filter.value,
      ]);
      for (;;) {
        const { rows } = await client.query<EntryRow>(`FETCH ${pageSize} FROM trail`);
        if (rows.length === 0) break;
        yield rows.map((row) =>
          row.kind === 0
            ? entryFromEvent(
                upcast(envelopeFromRow(row)),
                String(row.position),
                credentials.get(row.stream_id),
              )
            : entryFromFailure({ ...row, id: row.position }),
        );
        if (rows.length < pageSize) break;
      }
      await client.query('COMMIT');
      open = false;
    } finally {
      // Also reached when the caller stops early: ending the transaction closes the cursor.
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }
}
