import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { encodeEnvelope, envelopeFromRow, EVENT_COLUMNS } from '@libs/event-store';
import { EVENT_TOPIC_CONFIG, ensureTopics, type KafkaProducer } from '@libs/messaging';
import { TopicSnapshotReader } from '../replay/topic-snapshot.reader';
import { streamTips } from './stream-tips';
import { TopicIndex, type BrokenStream } from './topic-index';

// Global positions per page: at most this many events per produce request, which keeps each
// partition's record batch under the broker's 1 MB message.max.bytes even on a one-partition topic.
const PAGE = 500;
const BROKEN_SHOWN = 10;

export type RepublishPhase = 'read' | 'publish';

export interface RepublishOptions {
  topic: string;
  /** Partitions of the topic when it has to be created. */
  partitions: number;
  /** Called as each phase begins: reading what the topic holds, then publishing what it lacks. */
  onPhase?(phase: RepublishPhase, total: number): void;
  /** Called after each batch read or page published, with the phase's count so far. */
  onProgress?(phase: RepublishPhase, done: number): void;
}

export type RepublishResult =
  | {
      outcome: 'published';
      topic: string;
      created: boolean;
      /** Events in the store at the start (global positions up to `lastPosition`). */
      storeEvents: number;
      lastPosition: string;
      /** Messages on the topic before this run (malformed ones included). */
      topicMessages: number;
      malformed: number;
      alreadyPresent: number;
      published: number;
      seconds: number;
    }
  | { outcome: 'refused'; topic: string; brokenStreams: number; first: BrokenStream[] };

/**
 * Rebuilds the event topic from the event store (disaster recovery of Kafka), idempotently: it reads
 * what the topic holds per stream, then publishes, in global order, only the store's events above each
 * stream's highest version on the topic — so a second run publishes nothing, and each stream stays in
 * order. A stream the topic holds with a hole (or with an event the store does not have) cannot be
 * repaired by appending: the run is refused before anything is published.
 *
 * Run it while no outbox relay publishes to the same topic (stop the api), or into a fresh topic:
 * a relay appending meanwhile could put a newer event of a stream ahead of one republished here.
 */
export class StoreRepublisher {
  private readonly reader: TopicSnapshotReader;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: KafkaProducer,
    private readonly pool: Pool,
  ) {
    this.reader = new TopicSnapshotReader(kafka);
  }

  async republish(options: RepublishOptions): Promise<RepublishResult> {
    const started = performance.now();
    const { rows } = await this.pool.query<{ last: string; n: string }>(
      `SELECT coalesce(max(global_position), 0)::text AS last, count(*) AS n FROM events`,
    );
    const lastPosition = rows[0].last;
    const storeEvents = Number(rows[0].n);
    const created = !(await this.reader.topicExists(options.topic));
    if (created) {
      await ensureTopics(this.kafka, [
        { name: options.topic, partitions: options.partitions, config: EVENT_TOPIC_CONFIG },
      ]);
    }

    // One connection for the whole run: the topic index is a temporary table of this session.
    const client = await this.pool.connect();
    const index = new TopicIndex(client);
    try {
      await index.create();
      const ranges = await this.reader.endOffsets(options.topic);
      const topicMessages = ranges.reduce((n, r) => n + Number(r.end - r.low), 0);
      let read = 0;
      let malformed = 0;
      options.onPhase?.('read', topicMessages);
      await this.reader.read({
        topic: options.topic,
        ranges,
        groupPrefix: 'audit-republish',
        onBatch: async ({ messages }) => {
          const batch = streamTips(messages);
          await index.merge(batch.tips);
          malformed += batch.malformed;
          read += messages.length;
          options.onProgress?.('read', read);
        },
      });

      const broken = await index.broken(BROKEN_SHOWN);
      if (broken.total > 0) {
        return { outcome: 'refused', topic: options.topic, brokenStreams: broken.total, first: broken.first };
      }
      const alreadyPresent = await index.present(lastPosition);
      const toPublish = storeEvents - alreadyPresent;
      options.onPhase?.('publish', toPublish);

      let published = 0;
      const columns = `global_position, ${EVENT_COLUMNS}`;
      for (let after = 0n; after < BigInt(lastPosition); after += BigInt(PAGE)) {
        const upTo = after + BigInt(PAGE);
        const page = await index.missing<Parameters<typeof envelopeFromRow>[0]>(
          columns,
          String(after),
          String(upTo < BigInt(lastPosition) ? upTo : lastPosition),
        );
        if (page.length === 0) continue;
        // The idempotent producer (acks=all, one request in flight): a retried send neither
        // duplicates nor reorders, so each stream's events land in the store's order.
        await this.producer.send(
          options.topic,
          page.map((row) => encodeEnvelope(envelopeFromRow(row))),
        );
        published += page.length;
        options.onProgress?.('publish', published);
      }
      return {
        outcome: 'published',
        topic: options.topic,
        created,
        storeEvents,
        lastPosition,
        topicMessages,
        malformed,
        alreadyPresent,
        published,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      await index.drop().catch(() => undefined);
      client.release();
    }
  }
}
