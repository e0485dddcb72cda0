import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import type { EventEnvelope } from '@libs/domain';
import type { DeviceCredentialRow } from '@libs/projections';
import { foldBatch } from './batch-fold';
import { decodeForReplay } from './replay-decoder';
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
  /** Replayed rows kept in memory between batches (default 50,000). */
  cachedRows?: number;
}

export interface MalformedMessage {
  partition: number;
  offset: string;
  reason: string;
}

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
  /** Per written batch: load + fold + upsert, ms. */
  batches: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** CPU time this process used for the replay (user + system): the figure to compare on a busy machine. */
  cpuSeconds: number;
  /** Peak resident set size of this process (getrusage maxrss). */
  peakRssMb: number;
}

const MALFORMED_SHOWN = 10;
const DEFAULT_CACHED_ROWS = 50_000;

/** Parses a batch lazily for `foldBatch`, counting into `tally` what cannot be folded. */
function* decode(
  partition: number,
  batch: KafkaMessage[],
  tally: { events: number; malformed: MalformedMessage[] },
): Generator<EventEnvelope> {
  for (const message of batch) {
    const result = decodeForReplay(message);
    if ('event' in result) {
      tally.events++;
      yield result.event;
    } else {
      tally.malformed.push({ partition, offset: message.offset, reason: result.malformed });
    }
  }
}

/**
 * Rebuilds the device-credential view from the event topic into a schema of its own, streaming:
 * memory holds at most two batches per partition (one being written, the next being folded) and a
 * bounded cache of rows, however long the log. Per batch: find the rows of the credentials it touches
 * (cache, else one SELECT), parse each envelope (JSON.parse) and fold it with the live projector's
 * fold, then write the changed rows with one statement while the next batch is fetched.
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

    const malformed: MalformedMessage[] = [];
    let malformedCount = 0;
    let messages = 0;
    let events = 0;
    const latencies: number[] = [];
    // Per partition, the write in flight. A partition's next batch is folded once its previous batch
    // is written (it may read those rows back); partitions hold disjoint credentials (key = credential
    // id), so they fold and write in parallel.
    const writing = new Map<number, Promise<void>>();
    let failure: unknown;

    const foldAndWrite = async ({ partition, messages: batch }: TopicBatch) => {
      const at = performance.now();
      // The key is the credential id: the rows to load are known before any value is parsed, so
      // each envelope can be parsed, folded and dropped in one pass.
      const keys = new Set<string>();
      for (const m of batch) if (m.key) keys.add(m.key.toString('utf8'));
      // Taken from the cache now: other partitions' batches may evict them while this one loads.
      const rows = new Map<string, DeviceCredentialRow>();
      const toLoad: string[] = [];
      for (const id of keys) {
        const row = cache.get(id);
        if (row) rows.set(id, row);
        else toLoad.push(id);
      }
      for (const [id, row] of await table.load(toLoad)) rows.set(id, row);
      const unknown = new Set<string>();
      const lookup = (id: string) => {
        if (!keys.has(id)) unknown.add(id);
        return rows.get(id);
      };
      let tally = { events: 0, malformed: [] as MalformedMessage[] };
      let changed = foldBatch(lookup, decode(partition, batch, tally));
      if (unknown.size > 0) {
        // A message whose key is not its stream id (not written by this service): fold again with
        // those credentials' rows loaded too.
        for (const id of unknown) {
          const row = cache.get(id);
          if (row) rows.set(id, row);
        }
        for (const [id, row] of await table.load([...unknown].filter((id) => !rows.has(id))))
          rows.set(id, row);
        tally = { events: 0, malformed: [] };
        changed = foldBatch((id) => rows.get(id), decode(partition, batch, tally));
      }
      for (const row of changed) cache.set(row.id, row);
      malformedCount += tally.malformed.length;
      malformed.push(...tally.malformed.slice(0, MALFORMED_SHOWN - malformed.length));
      return async () => {
        await table.upsert(changed);
        latencies.push(performance.now() - at);
        messages += batch.length;
        events += tally.events;
        options.onProgress?.(messages, total);
      };
    };

    const onBatch = async (batch: TopicBatch) => {
      // Back-pressure: a batch waits for its partition's previous write, and the reader fetches
      // nothing more for the partition until this returns.
      await writing.get(batch.partition);
      if (failure) throw failure;
      const write = await foldAndWrite(batch);
      writing.set(
        batch.partition,
        write().catch((error: unknown) => {
          failure ??= error;
        }),
      );
    };

    await this.reader.read({
      topic: options.topic,
      ranges: snapshot,
      groupPrefix: 'audit-replay',
      onBatch,
      concurrency: options.concurrency ?? snapshot.length,
      maxBytesPerPartition: options.maxBytesPerPartition,
    });
    await Promise.all(writing.values());
    if (failure) throw failure;
    await table.recordOffsets(options.topic, snapshot);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      topic: options.topic,
      schema: options.schema,
      partitions: snapshot.map((r) => ({ partition: r.partition, low: String(r.low), end: String(r.end) })),
      messages,
      events,
      malformed: { count: malformedCount, first: malformed },
      credentials: await table.count(),
      seconds,
      eventsPerSecond: messages / seconds,
      batches: { count: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) },
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  }
}
