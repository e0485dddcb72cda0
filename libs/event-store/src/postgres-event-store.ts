import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pgPool, StatementBatcher } from '@libs/database';
import { SCHEMA_VERSIONS, type CredentialEvent, type EventEnvelope } from '@libs/domain';
import { eventHash } from './event-hash';
import { ConcurrencyError, EventStore, type StreamPosition, type WriteContext } from './event-store.port';

export interface EventRow {
  event_id: string;
  type: CredentialEvent['type'];
  schema_version: number;
  stream_id: string;
  stream_version: number;
  occurred_at: Date;
  correlation_id: string;
  causation_id: string | null;
  previous_hash: string | null;
  hash: string;
  data: CredentialEvent['data'];
}

export const EVENT_COLUMNS = `event_id, type, schema_version, stream_id, stream_version, occurred_at,
  correlation_id, causation_id, previous_hash, hash, data`;

/** Maps a stored row to the public envelope (timestamps as ISO strings, exactly as hashed). */
export function envelopeFromRow(row: EventRow): EventEnvelope {
  return {
    event_id: row.event_id,
    type: row.type,
    schema_version: Number(row.schema_version),
    stream_id: row.stream_id,
    stream_version: Number(row.stream_version),
    occurred_at: new Date(row.occurred_at).toISOString(),
    correlation_id: row.correlation_id,
    causation_id: row.causation_id,
    previous_hash: row.previous_hash,
    hash: row.hash,
    data: row.data,
  } as EventEnvelope;
}

const UNNEST_EVENTS = `
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::smallint[], $4::text[], $5::int[], $6::timestamptz[],
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[])`;

// One statement, atomic without an explicit transaction, one round trip. Nothing else is written: the
// relay tails this table by (transaction_id, global_position) — see OutboxRelay.
const APPEND_SQL = `INSERT INTO events (${EVENT_COLUMNS}) ${UNNEST_EVENTS}`;

// The group-commit form for single-event appends of many streams: a row whose stream version is taken
// is skipped (its writer gets ConcurrencyError), the others commit; the ids written come back.
const APPEND_EACH_SQL = `
  INSERT INTO events (${EVENT_COLUMNS}) ${UNNEST_EVENTS}
  ON CONFLICT ON CONSTRAINT events_stream_version_unique DO NOTHING
  RETURNING event_id`;

/** `EventStore` on PostgreSQL: `(stream_id, stream_version)` is unique, so a stale writer fails. */
@Injectable()
export class PostgresEventStore extends EventStore {
  /** Emits 'appended' after each commit, so the in-process relay publishes without waiting to poll. */
  readonly appended = new EventEmitter();
  /** Single-event appends (every delegation) share statements under load: group commit. */
  private readonly singles = new StatementBatcher<EventEnvelope, true>((envelopes) =>
    this.insertEach(envelopes),
  );

  constructor(private readonly db: DataSource) {
    super();
  }

  /** Hot-path statements go to the pg pool directly (see `pgPool`). */
  private async query<R>(text: string, params: unknown[]): Promise<R> {
    return (await pgPool(this.db).query(text, params)).rows as R;
  }

  async readStream(streamId: string, afterVersion = 0): Promise<EventEnvelope[]> {
    const rows = await this.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
      [streamId, afterVersion],
    );
    return rows.map(envelopeFromRow);
  }

  async append(
    streamId: string,
    expected: StreamPosition,
    events: CredentialEvent[],
    context: WriteContext,
  ): Promise<EventEnvelope[]> {
    if (events.length === 0) return [];
    const occurredAt = new Date().toISOString();
    let previous = expected.hash;
    const envelopes = events.map((event, i) => {
      const unsigned = {
        event_id: randomUUID(),
        type: event.type,
        schema_version: SCHEMA_VERSIONS[event.type],
        stream_id: streamId,
        stream_version: expected.version + i + 1,
        occurred_at: occurredAt,
        correlation_id: context.correlationId,
        causation_id: context.causationId ?? null,
        previous_hash: previous,
        data: event.data,
      };
      const envelope = { ...unsigned, hash: eventHash(unsigned) } as EventEnvelope;
      previous = envelope.hash;
      return envelope;
    });

    if (envelopes.length === 1) {
      if (!(await this.singles.submit(envelopes[0]))) throw new ConcurrencyError(streamId);
      return envelopes;
    }
    try {
      await this.query(APPEND_SQL, this.columns(envelopes));
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'events_stream_version_unique') {
        throw new ConcurrencyError(streamId);
      }
      throw error;
    }
    this.appended.emit('appended');
    return envelopes;
  }

  private async insertEach(envelopes: EventEnvelope[]): Promise<Map<EventEnvelope, true>> {
    const rows = await this.query<{ event_id: string }[]>(APPEND_EACH_SQL, this.columns(envelopes));
    this.appended.emit('appended');
    const written = new Set(rows.map((r) => r.event_id));
    return new Map(envelopes.filter((e) => written.has(e.event_id)).map((e) => [e, true]));
  }

  private columns(envelopes: EventEnvelope[]): unknown[] {
    const column = <K extends keyof EventEnvelope>(key: K) => envelopes.map((e) => e[key]);
    return [
      column('event_id'),
      column('type'),
      column('schema_version'),
      column('stream_id'),
      column('stream_version'),
      column('occurred_at'),
      column('correlation_id'),
      column('causation_id'),
      column('previous_hash'),
      column('hash'),
      envelopes.map((e) => JSON.stringify(e.data)),
    ];
  }

  async findStreamByTokenHash(tokenHash: string): Promise<string | null> {
    const rows = await this.query<{ stream_id: string }[]>(
      `SELECT stream_id FROM events WHERE type = 'TokenIssued' AND data ->> 'token_hash' = $1`,
      [tokenHash],
    );
    return rows[0]?.stream_id ?? null;
  }
}
