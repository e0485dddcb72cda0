import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import { pgPool, StatementBatcher } from '@libs/database';
import type { CredentialEvent, EventEnvelope } from '@libs/domain';
import { inSpan, traceparentOf } from '@libs/platform';
import { EventHasher } from './event-hash';
import { ConcurrencyError, EventStore, type StreamPosition, type WriteContext } from './event-store.port';
import { sealEvents } from './seal-events';

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
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::text[])`;
// Not an envelope field: the trace the relay continues on Kafka (see `append`).
const INSERTED_COLUMNS = `${EVENT_COLUMNS}, traceparent`;

// One statement, atomic without an explicit transaction, one round trip. Nothing else is written: the
// relay tails this table by (transaction_id, global_position) — see OutboxRelay.
const APPEND_SQL = `INSERT INTO events (${INSERTED_COLUMNS}) ${UNNEST_EVENTS}`;

// The group-commit form for single-event appends of many streams: a row whose stream version is taken
// is skipped (its writer gets ConcurrencyError), the others commit; the ids written come back.
const APPEND_EACH_SQL = `
  INSERT INTO events (${INSERTED_COLUMNS}) ${UNNEST_EVENTS}
  ON CONFLICT ON CONSTRAINT events_stream_version_unique DO NOTHING
  RETURNING event_id`;

/** An envelope about to be inserted, with the trace context of the request that appends it. */
interface Pending {
  envelope: EventEnvelope;
  traceparent: string | null;
}

/**
 * `EventStore` on PostgreSQL: `(stream_id, stream_version)` is unique, so a stale writer fails. Each
 * event's hash is keyed (`EventHasher`): the database holds no key that could re-chain the log.
 */
@Injectable()
export class PostgresEventStore extends EventStore {
  /** Emits 'appended' after each commit, so the in-process relay publishes without waiting to poll. */
  readonly appended = new EventEmitter();
  /** Single-event appends (every delegation) share statements under load: group commit. */
  private readonly singles = new StatementBatcher<Pending, true>((pending) => this.insertEach(pending));
  private readonly hasher: EventHasher;

  constructor(
    private readonly db: DataSource,
    config: AppConfig,
  ) {
    super();
    this.hasher = EventHasher.fromConfig(config);
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

  append(
    streamId: string,
    expected: StreamPosition,
    events: CredentialEvent[],
    context: WriteContext,
  ): Promise<EventEnvelope[]> {
    if (events.length === 0) return Promise.resolve([]);
    const attributes = {
      stream_id: streamId,
      stream_version: expected.version + 1,
      event_types: events.map((e) => e.type).join(','),
      correlation_id: context.correlationId,
    };
    // The append's own span is the parent the relay's publish span continues from.
    return inSpan('event-store append', { attributes }, () =>
      this.appendTraced(streamId, expected, events, context, traceparentOf() ?? null),
    );
  }

  private async appendTraced(
    streamId: string,
    expected: StreamPosition,
    events: CredentialEvent[],
    context: WriteContext,
    traceparent: string | null,
  ): Promise<EventEnvelope[]> {
    const envelopes = sealEvents(streamId, expected, events, context, (unsigned) =>
      this.hasher.hash(unsigned),
    );

    if (envelopes.length === 1) {
      if (!(await this.singles.submit({ envelope: envelopes[0], traceparent })))
        throw new ConcurrencyError(streamId);
      return envelopes;
    }
    try {
      await this.query(APPEND_SQL, this.columns(envelopes.map((envelope) => ({ envelope, traceparent }))));
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'events_stream_version_unique') {
        throw new ConcurrencyError(streamId);
      }
      throw error;
    }
    this.appended.emit('appended');
    return envelopes;
  }

  private async insertEach(pending: Pending[]): Promise<Map<Pending, true>> {
    const rows = await this.query<{ event_id: string }[]>(APPEND_EACH_SQL, this.columns(pending));
    this.appended.emit('appended');
    const written = new Set(rows.map((r) => r.event_id));
    return new Map(pending.filter((p) => written.has(p.envelope.event_id)).map((p) => [p, true]));
  }

  private columns(pending: Pending[]): unknown[] {
    const envelopes = pending.map((p) => p.envelope);
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
      pending.map((p) => p.traceparent),
    ];
  }
}
