import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { PartitionReplay, ReplayTally, type MalformedMessage } from './partition-replay';
import { ReplayTable } from './replay-table';
import { RowCache } from './row-cache';
import { TopicSnapshotReader, type PartitionRange, type TopicBatch } from './topic-snapshot.reader';

export interface ReplayOptions {
  topic: string;
  /** Schema that receives the replayed `device_credentials` (recreated). */
  schema: string;
  /** Called after each written batch with the messages handled so far and the snapshot's total. */
  onProgress?(done: number, total: number): void;
  /** Partitions written in parallel (each on its own connection). */
  concurrency?: number;
  maxBytesPerPartition?: number;
  /** Replayed rows kept in memory between batches (default 20,000). */
  cachedRows?: number;
  /** Messages a partition folds before writing their rows (default 16,000). */
  writeEvery?: number;
}

export type { MalformedMessage };

export interface ReplaySummary {
  topic: string;
  schema: string;
  /** Per partition, the offsets replayed: [low, end). */
  partitions: { partition: number; low: string; end: string }[];
  /** Messages read (events + malformed). */
  messages: number;
  /** Events folded into the projection. */
  events: number;
  malformed: { count: number; first: MalformedMessage[] };
  /** Rows of the replayed table. */
  credentials: number;
  seconds: number;
  eventsPerSecond: number;
  /** Rows upserted in all (fewer than events: a credential's events between two writes become one row). */
  rowsWritten: number;
  /** Per write: the upsert statement of one partition's folded rows, ms. */
  writes: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** CPU time this process used for the replay (user + system): the figure to compare on a busy machine. */
  cpuSeconds: number;
  /** Peak resident set size of this process (getrusage maxrss). */
  peakRssMb: number;
}

const DEFAULT_CACHED_ROWS = 20_000;
// Many Kafka batches per write: a credential's events spread over them collapse into one row, and the
// rows held meanwhile are far smaller than the fetched messages they came from.
const DEFAULT_WRITE_EVERY = 16_000;

/**
 * Rebuilds the device-credential view from the event topic into a schema of its own, streaming:
 * memory holds per partition one fetched batch, the rows folded since its last write and the write
 * in flight, plus a bounded cache of rows — however long the log. Per batch: find the rows of the
 * credentials it touches (not yet written, cached, else one SELECT), parse each envelope (JSON.parse),
 * upcast it and fold it with the live projector's fold; every few thousand messages, write the changed
 * rows with one statement while the next batches are fetched (see `PartitionReplay`).
 */
export class ProjectionReplay {
  private readonly reader: TopicSnapshotReader;

  constructor(
    kafka: Kafka,
    private readonly pool: Pool,
  ) {
    this.reader = new TopicSnapshotReader(kafka);
  }

  /** The snapshot a replay of `topic` would read; null when the topic does not exist. */
  async endOffsets(topic: string): Promise<PartitionRange[] | null> {
    return (await this.reader.topicExists(topic)) ? this.reader.endOffsets(topic) : null;
  }

  async replay(options: ReplayOptions, ranges?: PartitionRange[]): Promise<ReplaySummary> {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const snapshot = ranges ?? (await this.reader.endOffsets(options.topic));
    const total = snapshot.reduce((n, r) => n + Number(r.end - r.low), 0);
    const table = new ReplayTable(this.pool, options.schema);
    await table.recreate();
    const cache = new RowCache(options.cachedRows ?? DEFAULT_CACHED_ROWS);

    const tally = new ReplayTally((done) => options.onProgress?.(done, total));
    const partitions = new Map(
      snapshot.map((r) => [
        r.partition,
        new PartitionReplay(r.partition, table, cache, tally, options.writeEvery ?? DEFAULT_WRITE_EVERY),
      ]),
    );
    const onBatch = ({ partition, messages }: TopicBatch) => partitions.get(partition)!.fold(messages);

    await this.reader.read({
      topic: options.topic,
      ranges: snapshot,
      groupPrefix: 'audit-replay',
      onBatch,
      concurrency: options.concurrency ?? snapshot.length,
      maxBytesPerPartition: options.maxBytesPerPartition,
    });
    await Promise.all([...partitions.values()].map((p) => p.finish()));
    await table.recordOffsets(options.topic, snapshot);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const writeMs = [...tally.writeMs].sort((a, b) => a - b);
    const at = (q: number) => writeMs[Math.min(writeMs.length - 1, Math.floor(q * writeMs.length))] ?? 0;
    return {
      topic: options.topic,
      schema: options.schema,
      partitions: snapshot.map((r) => ({ partition: r.partition, low: String(r.low), end: String(r.end) })),
      messages: tally.messages,
      events: tally.events,
      malformed: { count: tally.malformedCount, first: tally.malformed },
      credentials: await table.count(),
      seconds,
      eventsPerSecond: tally.messages / seconds,
      rowsWritten: tally.rowsWritten,
      writes: { count: writeMs.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) },
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  }
}
