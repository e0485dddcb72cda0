import { Logger } from '@nestjs/common';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DataSource, type EntityManager } from 'typeorm';
import { upcast, UnsupportedEventError, type EventEnvelope, type StoredEnvelope } from '@libs/domain';
import { decodeEnvelope, hashAlgorithm, type EventHasher } from '@libs/event-store';
import { ConsumerGroup } from '@libs/messaging';
import { contextOf, endSpan, SpanKind, tracer, type Metrics, type Span } from '@libs/platform';
import { checkLink, type StreamHead } from './chain-guard';
import type { Projection } from './device-credentials/device-credential.projection';

export interface ProjectorOptions {
  groupId: string;
  topic: string;
  projection: Projection;
  /** Checks each event's hash under the audit key before it is applied (see `checkLink`). */
  hasher: EventHasher;
  metrics?: Metrics;
}

interface Received {
  message: KafkaMessage;
  envelope: StoredEnvelope;
}

interface HeadRow {
  stream_id: string;
  version: number;
  last_hash: string;
  broken_at: Date | null;
}

interface Break {
  reason: string;
  eventId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A consumer-group member that applies events to a projection. Each batch is applied and its
 * checkpoint (the next offset of that partition) stored in ONE PostgreSQL transaction; messages below
 * the stored checkpoint are skipped, and on every (re)assignment the member seeks to the stored
 * checkpoints. A crash or a rebalance therefore neither loses nor double-applies an event.
 *
 * The topic is not trusted blindly: each event must extend its stream's chain where the view stands
 * (`checkLink`, heads in `projection_streams`, same transaction). An event that does not is not
 * applied, its stream is marked broken and stops (the hot path then answers from the store), an error
 * is logged and `projector_refused_events_total` counts it; other streams go on.
 */
export class Projector {
  private readonly logger = new Logger(Projector.name);
  private readonly group: ConsumerGroup;
  /** Events applied by this member since it started (for tests and metrics). */
  applied = 0;
  skipped = 0;
  /** The checkpoint each partition was last sought back to (see `rewind`). */
  private readonly rewoundTo = new Map<number, bigint>();
  private assignments = 0;
  private stopped = false;

  constructor(
    kafka: Kafka,
    private readonly db: DataSource,
    private readonly options: ProjectorOptions,
  ) {
    this.group = new ConsumerGroup(kafka, {
      groupId: options.groupId,
      topics: [options.topic],
      fromBeginning: true,
      eachBatch: (payload) =>
        this.applyBatch(payload).catch((error: unknown) => {
          options.metrics?.failed(error, 'projector_batch');
          throw error;
        }),
      onAssignment: (assignment) =>
        void this.seekWhenPossible(assignment[options.topic] ?? [], ++this.assignments),
    });
  }

  async start(): Promise<void> {
    await this.group.start();
    this.logger.log({ msg: 'projector started', group: this.options.groupId, topic: this.options.topic });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.group.stop();
  }

  /**
   * A (re)assignment while PostgreSQL is down must not end the process (an unhandled rejection would):
   * keep trying until the checkpoints can be read; the batches fail meanwhile, as PostgreSQL is down.
   */
  private async seekWhenPossible(partitions: number[], assignment: number): Promise<void> {
    for (let attempt = 0; !this.stopped && assignment === this.assignments; attempt++) {
      try {
        return await this.seekToCheckpoints(partitions);
      } catch (error) {
        if (attempt === 0)
          this.logger.warn({ msg: 'cannot read the checkpoints yet; retrying', err: String(error) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
  }

  private async seekToCheckpoints(partitions: number[]): Promise<void> {
    const rows: { partition: number; next_offset: string }[] = await this.db.query(
      `SELECT partition, next_offset FROM projection_checkpoints
       WHERE projection = $1 AND topic = $2 AND partition = ANY($3::int[])`,
      [this.options.projection.name, this.options.topic, partitions],
    );
    for (const row of rows) {
      this.group.consumer.seek({
        topic: this.options.topic,
        partition: row.partition,
        offset: row.next_offset,
      });
    }
  }

  /**
   * A batch that starts past the stored checkpoint (the seek on assignment did not happen, e.g. while
   * PostgreSQL was down, and the group's committed offset ran ahead) would skip events: seek back to the
   * checkpoint and drop the batch. Once per gap: if the broker no longer has those offsets (retention was
   * shortened by hand), say so loudly and go on — they cannot be read again.
   */
  private rewind(partition: number, checkpoint: bigint): boolean {
    if (this.rewoundTo.get(partition) === checkpoint) {
      this.logger.error({
        msg: 'events between the checkpoint and the first available offset are gone from the topic',
        partition,
        checkpoint: checkpoint.toString(),
      });
      return false;
    }
    this.rewoundTo.set(partition, checkpoint);
    this.logger.warn({ msg: 'batch starts past the checkpoint; seeking back', partition });
    this.group.consumer.seek({ topic: this.options.topic, partition, offset: checkpoint.toString() });
    return true;
  }

  private async applyBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const name = this.options.projection.name;
    const before = this.applied;
    const spans: Span[] = [];
    await this.db
      .transaction(async (tx) => {
        const [checkpoint] = await tx.query(
          `SELECT next_offset FROM projection_checkpoints
         WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
          [name, topic, partition],
        );
        const from = BigInt(checkpoint?.next_offset ?? 0);
        if (checkpoint && BigInt(batch.messages[0].offset) > from && this.rewind(partition, from)) return;
        const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
        this.skipped += batch.messages.length - fresh.length;
        if (fresh.length === 0) return;

        const received: Received[] = [];
        for (const message of fresh) {
          try {
            received.push({ message, envelope: decodeEnvelope(message) });
          } catch (error) {
            // A message that is not an event cannot be projected now or later: record it and move on. An
            // event of a newer release is skipped the same way: readers are deployed before writers.
            this.logger.error({
              msg:
                error instanceof UnsupportedEventError
                  ? 'skipping an event this release cannot read'
                  : 'skipping a malformed message',
              topic,
              partition,
              offset: message.offset,
              err: String(error),
            });
          }
        }
        const events = await this.guard(tx, partition, received, spans);
        await this.options.projection.apply(tx, events);
        const next = (BigInt(fresh[fresh.length - 1].offset) + 1n).toString();
        await tx.query(
          `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset, updated_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
          [name, topic, partition, next],
        );
        this.applied += events.length;
      })
      .then(
        () => spans.forEach((span) => endSpan(span)),
        (error: unknown) => {
          spans.forEach((span) => endSpan(span, error));
          throw error;
        },
      );
    const { groupId: group, metrics } = this.options;
    const lastTimestamp = batch.messages[batch.messages.length - 1].timestamp;
    const [applied, offsetLag] = [this.applied - before, batch.offsetLag()];
    metrics?.recordProjection({ group, topic, partition, applied, offsetLag, lastTimestamp });
    await heartbeat();
  }

  /**
   * The events of the batch that extend their streams' chains, upcast for folding; updates the heads
   * and marks the streams that break. One span per applied event, a child of its message's traceparent.
   */
  private async guard(
    tx: EntityManager,
    partition: number,
    received: Received[],
    spans: Span[],
  ): Promise<EventEnvelope[]> {
    if (received.length === 0) return [];
    const { projection, hasher, metrics } = this.options;
    const streams = [...new Set(received.map((r) => r.envelope.stream_id))];
    const rows: HeadRow[] = await tx.query(
      `SELECT stream_id, version, last_hash, broken_at FROM projection_streams
       WHERE projection = $1 AND stream_id = ANY($2::text[]) FOR UPDATE`,
      [projection.name, streams],
    );
    const heads = new Map<string, StreamHead>(
      rows.map((r) => [
        r.stream_id,
        { version: Number(r.version), lastHash: r.last_hash, broken: !!r.broken_at },
      ]),
    );
    const stored = await this.storedHashes(tx, received);
    const changed = new Map<string, Break | null>();
    const apply: EventEnvelope[] = [];
    for (const { message, envelope } of received) {
      const keyed = hashAlgorithm(envelope.hash) === 'hmac-sha256';
      const verified = hasher.verify(envelope) && (keyed || stored.get(envelope.event_id) === envelope.hash);
      const head = heads.get(envelope.stream_id);
      const verdict = checkLink(head, envelope, verified);
      const at = { stream_id: envelope.stream_id, stream_version: envelope.stream_version };
      const where = { ...at, event_id: envelope.event_id, partition, offset: message.offset };
      switch (verdict.action) {
        case 'apply': {
          heads.set(envelope.stream_id, {
            version: envelope.stream_version,
            lastHash: envelope.hash,
            broken: false,
          });
          if (!changed.has(envelope.stream_id)) changed.set(envelope.stream_id, null);
          apply.push(upcast(envelope));
          spans.push(
            tracer().startSpan(
              `projector apply ${envelope.type}`,
              { kind: SpanKind.CONSUMER, attributes: { ...where, projection: projection.name } },
              contextOf(message.headers?.traceparent?.toString()),
            ),
          );
          break;
        }
        case 'duplicate':
          this.skipped++;
          break;
        case 'stopped':
          metrics?.refusedEvents.inc({ reason: 'stream_broken' });
          this.logger.warn({ msg: 'not applying an event of a broken stream', ...where });
          break;
        case 'break':
          heads.set(envelope.stream_id, {
            version: head?.version ?? 0,
            lastHash: head?.lastHash ?? '',
            broken: true,
          });
          changed.set(envelope.stream_id, {
            reason: `${verdict.reason}: ${verdict.detail}`,
            eventId: envelope.event_id,
          });
          metrics?.refusedEvents.inc({ reason: verdict.reason });
          this.logger.error({
            msg: 'hash chain broken: event refused, stream stopped (the hot path answers it from the store)',
            reason: verdict.reason,
            detail: verdict.detail,
            ...where,
          });
          break;
        default: {
          const _exhaustive: never = verdict;
          return _exhaustive;
        }
      }
    }
    if (changed.size > 0) {
      const updates = [...changed].map(([stream_id, broken]) => {
        const head = heads.get(stream_id)!;
        return {
          stream_id,
          version: head.version,
          last_hash: head.lastHash,
          broken_reason: broken?.reason ?? null,
          broken_event_id: broken?.eventId ?? null,
        };
      });
      await tx.query(
        `INSERT INTO projection_streams (projection, stream_id, version, last_hash, broken_at, broken_reason, broken_event_id)
         SELECT $1, u.stream_id, u.version, u.last_hash,
                CASE WHEN u.broken_reason IS NULL THEN NULL ELSE now() END, u.broken_reason, u.broken_event_id
           FROM jsonb_to_recordset($2::jsonb)
             AS u(stream_id text, version integer, last_hash text, broken_reason text, broken_event_id text)
         ON CONFLICT (projection, stream_id) DO UPDATE SET
           version = EXCLUDED.version, last_hash = EXCLUDED.last_hash,
           broken_at = coalesce(projection_streams.broken_at, EXCLUDED.broken_at),
           broken_reason = coalesce(projection_streams.broken_reason, EXCLUDED.broken_reason),
           broken_event_id = coalesce(projection_streams.broken_event_id, EXCLUDED.broken_event_id)`,
        [projection.name, JSON.stringify(updates)],
      );
    }
    return apply;
  }

  /**
   * The store's hash of each unkeyed event in the batch: an event written before the keyed chain is
   * applied only as the store has it (anyone can compute an unkeyed hash; only the store's are genuine).
   */
  private async storedHashes(tx: EntityManager, received: Received[]): Promise<Map<string, string>> {
    const ids = received
      .map((r) => r.envelope)
      .filter((e) => hashAlgorithm(e.hash) === 'sha256' && UUID.test(e.event_id))
      .map((e) => e.event_id);
    if (ids.length === 0) return new Map();
    const rows: { event_id: string; hash: string }[] = await tx.query(
      'SELECT event_id::text, hash FROM events WHERE event_id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.event_id, r.hash]));
  }
}
