import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Message } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import type { EventEnvelope } from '@libs/domain';
import { ensureTopics, eventTopic, eventTopicSpec, KafkaProducer } from '@libs/messaging';
import { contextOf, contextWith, endSpan, Metrics, SpanKind, traceparentOf, tracer } from '@libs/platform';
import { Kafka } from 'kafkajs';
import { envelopeFromRow, EVENT_COLUMNS, PostgresEventStore } from './postgres-event-store';
import { encodeEnvelope } from './envelope-codec';

// One relay publishes at a time across every API instance: per-stream order on Kafka is the store's.
const RELAY_LOCK_KEY = 0x5245_4c41; // "RELA"
const BATCH_SIZE = 500;
const IDLE_POLL_MS = 250;
// After a local append, wait this long for more before publishing (as Kafka's linger.ms): under load
// one transaction and one produce request carry many events instead of one each.
const LINGER_MS = 15;
const MAX_BACKOFF_MS = 5_000;
const OUTBOX_DEPTH = 'SELECT count(*) AS n FROM outbox';

/**
 * Publishes committed events from the outbox to Kafka, oldest first, then deletes their outbox rows
 * (DESIGN "write path"). A Kafka outage only delays publishing: rows stay until the broker acknowledges
 * them. A crash between acknowledgement and delete republishes a batch: delivery is at least once,
 * and consumers dedupe by `event_id` (or by stream version).
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

  /** Publishes until the outbox is empty; returns how many events it published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      if (published === null || published === 0) return total;
      total += published;
    }
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      try {
        const published = await this.publishBatch();
        if (this.failing) this.logger.log({ msg: 'outbox relay recovered: publishing again' });
        this.failing = false;
        backoff = 0;
        // A full batch means more are waiting; otherwise wait for the next append (or the poll).
        if (published === null || published < BATCH_SIZE) await this.sleep(IDLE_POLL_MS);
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
  private async publishBatch(): Promise<number | null> {
    await this.ensureTopic();
    this.pending = false;
    return this.db.transaction(async (tx) => {
      const [{ locked }] = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK_KEY]);
      if (!locked) return null;
      const rows = await tx.query(
        `SELECT o.position, e.traceparent, ${EVENT_COLUMNS.split(',')
          .map((c) => `e.${c.trim()}`)
          .join(', ')}
         FROM outbox o JOIN events e USING (event_id)
         ORDER BY o.position LIMIT $1`,
        [BATCH_SIZE],
      );
      if (rows.length === 0) return 0;
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
      await tx.query('DELETE FROM outbox WHERE position = ANY($1::bigint[])', [
        rows.map((r: { position: string }) => r.position),
      ]);
      return rows.length;
    });
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
