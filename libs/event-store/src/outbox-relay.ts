import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Message } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import type { EventEnvelope } from '@libs/domain';
import { ensureTopics, eventTopic, eventTopicSpec, KafkaProducer } from '@libs/messaging';
import { contextOf, contextWith, endSpan, Metrics, SpanKind, traceparentOf, tracer } from '@libs/platform';
import { Kafka } from 'kafkajs';
import { envelopeFromRow, EVENT_COLUMNS, PostgresEventStore, type EventRow } from './postgres-event-store';
import { encodeEnvelope } from './envelope-codec';

// One relay publishes at a time across every API instance: per-stream order on Kafka is the store's.
const RELAY_LOCK_KEY = 0x5245_4c41; // "RELA"
const BATCH_SIZE = 500;
const IDLE_POLL_MS = 250;
// After a local append, wait this long for more before publishing (as Kafka's linger.ms): under load
// one transaction and one produce request carry many events instead of one each.
const LINGER_MS = 15;
// Committed events wait for an older open transaction (of any database of the server): look again soon,
// but not in a tight loop — on a busy shared server some transaction is nearly always open.
const HELD_BACK_POLL_MS = 50;
const MAX_BACKOFF_MS = 5_000;
const HELD_BACK_WARNING_MS = 10_000;
const OUTBOX_DEPTH = 'SELECT count(*) AS n FROM outbox';

const COLUMNS = [...EVENT_COLUMNS.split(',').map((c) => c.trim()), 'traceparent'];

/**
 * The next events to publish: after the checkpoint in (transaction_id, global_position) order, and only
 * those whose transaction id is below the xmin of this statement's snapshot. Every transaction below
 * xmin has ended (its rows are visible now or never will be); every transaction still running, or yet to
 * begin, has an id at or above xmin — so no row can later appear behind the checkpoint this batch moves
 * to, however late its transaction commits. A last row with `held_back` says that committed events wait
 * for an older transaction to end (the relay then looks again after HELD_BACK_POLL_MS, not at the next poll).
 */
const NEXT_EVENTS_SQL = `
  WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
  next AS (
    SELECT e.transaction_id, e.global_position, ${COLUMNS.map((c) => `e.${c}`).join(', ')}
      FROM events e, horizon h, relay_checkpoint c
     WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)
       AND e.transaction_id < h.xmin
     ORDER BY e.transaction_id, e.global_position
     LIMIT $1
  )
  SELECT next.*, false AS held_back FROM next
  UNION ALL
  SELECT NULL, NULL, ${COLUMNS.map(() => 'NULL').join(', ')}, true
    FROM horizon h WHERE EXISTS (SELECT 1 FROM events e WHERE e.transaction_id >= h.xmin)
  ORDER BY held_back, transaction_id, global_position`;

interface NextRow extends EventRow {
  /** xid8 and bigint: strings. */
  transaction_id: string;
  global_position: string;
  traceparent: string | null;
  held_back: boolean;
}

/** How one relay batch went: null when another instance holds the relay lock. */
type BatchOutcome = { published: number; heldBack: boolean } | null;

/**
 * Publishes committed events to Kafka by tailing the event table (DESIGN "write path": a relay that
 * tails the event table by position behind a visibility-safe high-water mark), oldest first, then moves
 * its checkpoint (`relay_checkpoint`) past them in the same transaction. A Kafka outage only delays
 * publishing: the checkpoint stays until the broker acknowledges. A crash between acknowledgement and
 * the checkpoint's commit republishes a batch: delivery is at least once, and consumers dedupe by
 * `event_id` (or by stream version). The `outbox` view lists what is not published yet.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly topic: string;
  private running = false;
  private loop?: Promise<void>;
  private wake?: (immediately?: boolean) => void;
  private topicReady = false;
  /** An append happened since the last batch began: do not wait the whole poll interval. */
  private pending = false;
  private failing = false;
  private heldBackSince?: number;
  private heldBackWarned = false;

  constructor(
    private readonly db: DataSource,
    private readonly producer: KafkaProducer,
    private readonly kafka: Kafka,
    private readonly config: AppConfig,
    store: PostgresEventStore,
    private readonly metrics: Metrics,
  ) {
    this.topic = eventTopic(config.kafka.topicPrefix);
    metrics.onScrape(async () => metrics.outboxDepth.set(Number((await db.query(OUTBOX_DEPTH))[0].n)));
    store.appended.on('appended', () => {
      this.pending = true;
      this.wake?.();
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.(true);
    await this.loop;
  }

  /**
   * Publishes until nothing committed is left to publish (waiting, up to `heldBackMs`, for events that an
   * older open transaction holds back); returns how many events it published.
   */
  async drain(heldBackMs = 5_000): Promise<number> {
    let total = 0;
    const giveUpAt = Date.now() + heldBackMs;
    for (;;) {
      const batch = await this.publishBatch();
      if (batch === null) return total;
      total += batch.published;
      if (batch.published > 0) continue;
      if (!batch.heldBack || Date.now() > giveUpAt) return total;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      try {
        const batch = await this.publishBatch();
        if (this.failing) this.logger.log({ msg: 'outbox relay recovered: publishing again' });
        this.failing = false;
        backoff = 0;
        this.watchHeldBack(batch?.heldBack === true && batch.published === 0);
        // A full batch means more are waiting; otherwise wait for the next append (or the poll).
        if (batch?.heldBack) await this.sleep(HELD_BACK_POLL_MS);
        else if (batch === null || batch.published < BATCH_SIZE) await this.sleep(IDLE_POLL_MS);
      } catch (error) {
        this.metrics.failed(error, 'outbox_relay');
        if (!this.failing)
          this.logger.warn({ msg: 'outbox relay cannot publish; events stay queued', err: String(error) });
        this.failing = true;
        backoff = Math.min(MAX_BACKOFF_MS, backoff ? backoff * 2 : 250);
        await this.sleep(backoff);
      }
    }
  }

  /** One batch under the relay lock; null when another instance holds the lock. */
  private async publishBatch(): Promise<BatchOutcome> {
    await this.ensureTopic();
    this.pending = false;
    return this.db.transaction(async (tx) => {
      const [{ locked }] = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK_KEY]);
      if (!locked) return null;
      const rows: NextRow[] = await tx.query(NEXT_EVENTS_SQL, [BATCH_SIZE]);
      const heldBack = rows.at(-1)?.held_back === true;
      // Committed events an older, still open transaction holds back: `run` looks again soon.
      if (heldBack) rows.pop();
      if (rows.length === 0) return { published: 0, heldBack };
      const envelopes: EventEnvelope[] = rows.map(envelopeFromRow);
      // One span per event, continuing the trace of the request that appended it; the message carries
      // the span's traceparent on to the consumers.
      const spans = envelopes.map((e, i) =>
        tracer().startSpan(
          'relay publish',
          {
            kind: SpanKind.PRODUCER,
            attributes: { event_id: e.event_id, event_type: e.type, stream_id: e.stream_id },
          },
          contextOf(rows[i].traceparent),
        ),
      );
      const messages: Message[] = envelopes.map((e, i) =>
        encodeEnvelope(e, traceparentOf(contextWith(spans[i]))),
      );
      try {
        await this.producer.send(this.topic, messages);
      } catch (error) {
        for (const span of spans) endSpan(span, error);
        throw error;
      }
      for (const span of spans) endSpan(span);
      this.metrics.recordRelay(envelopes.map((e) => e.occurred_at));
      const last = rows[rows.length - 1];
      await tx.query(
        `UPDATE relay_checkpoint SET transaction_id = $1::xid8, global_position = $2, updated_at = now()`,
        [last.transaction_id, last.global_position],
      );
      return { published: rows.length, heldBack };
    });
  }

  /**
   * Events wait while any transaction older than theirs is open — on the whole PostgreSQL server, as
   * transaction ids are. One left open (idle in transaction) stops publishing: say so once it lasts.
   */
  private watchHeldBack(onlyHeldBack: boolean): void {
    if (!onlyHeldBack) {
      this.heldBackSince = undefined;
      this.heldBackWarned = false; // the next stall warns again
      return;
    }
    this.heldBackSince ??= Date.now();
    if (Date.now() - this.heldBackSince > HELD_BACK_WARNING_MS && !this.heldBackWarned) {
      this.heldBackWarned = true;
      this.logger.warn({
        msg: 'outbox relay: committed events wait for an older transaction that stays open (idle in transaction?)',
        since: new Date(this.heldBackSince).toISOString(),
      });
    }
  }

  private async ensureTopic(): Promise<void> {
    if (this.topicReady) return;
    await ensureTopics(this.kafka, [eventTopicSpec(this.config.kafka)]);
    this.topicReady = true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer = setTimeout(done, ms);
      let lingering = false;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = (immediately = false) => {
        if (immediately) return done();
        if (lingering) return;
        lingering = true;
        clearTimeout(timer);
        timer = setTimeout(done, LINGER_MS);
      };
      if (this.pending) this.wake();
    });
  }
}
