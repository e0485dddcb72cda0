import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

// Batches of ~1,400 events: big enough that one statement writes many credentials, small enough that
// the fetched bytes and the envelopes parsed from them stay a few MB per partition.
export const DEFAULT_MAX_BYTES_PER_PARTITION = 1 << 20;

/** One partition's range to read: from `low` (the earliest kept offset) up to, excluding, `end`. */
export interface PartitionRange {
  partition: number;
  low: bigint;
  end: bigint;
}

/** Messages of one partition, in offset order, all below the partition's end offset. */
export interface TopicBatch {
  partition: number;
  messages: KafkaMessage[];
}

export interface SnapshotReadOptions {
  topic: string;
  /** The ranges from `endOffsets`, read once before anything else, so "the end" is fixed. */
  ranges: PartitionRange[];
  /** Names the throw-away consumer group (`<prefix>-<uuid>`), so brokers' group lists say who it was. */
  groupPrefix: string;
  /**
   * Handles one batch. The next batch of the same partition is not fetched before this resolves
   * (back-pressure); throwing stops the whole read and rejects `read`.
   */
  onBatch(batch: TopicBatch): Promise<void>;
  /** Batches of different partitions handled at the same time (kafkajs partitionsConsumedConcurrently). */
  concurrency?: number;
  /** Largest fetch per partition, bytes: bigger batches, fewer round trips, more memory. */
  maxBytesPerPartition?: number;
}

/**
 * Reads a topic from the beginning up to the high watermarks read at the start (new events keep
 * arriving meanwhile; they are not part of this snapshot). Uses a consumer group of its own that
 * commits nothing and is deleted afterwards, so no live group's offsets are touched.
 */
export class TopicSnapshotReader {
  constructor(private readonly kafka: Kafka) {}

  /** The partitions of `topic` with their offset ranges; rejects when the topic does not exist. */
  async endOffsets(topic: string): Promise<PartitionRange[]> {
    return this.withAdmin(async (admin) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets
        .map((o) => ({ partition: o.partition, low: BigInt(o.low), end: BigInt(o.high) }))
        .sort((a, b) => a.partition - b.partition);
    });
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.withAdmin(async (admin) => (await admin.listTopics()).includes(topic));
  }

  /** Reads every range to its end; resolves once each partition has been handled up to its end. */
  async read(options: SnapshotReadOptions): Promise<void> {
    const pending = new Map(options.ranges.filter((r) => r.end > r.low).map((r) => [r.partition, r.end]));
    if (pending.size === 0) return;
    const groupId = `${options.groupPrefix}-${randomUUID()}`;
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: (options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION) * pending.size,
      maxWaitTimeInMs: 250,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    let finish!: (error?: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = (error?: unknown) => (error === undefined ? resolve() : reject(error));
    });
    try {
      await consumer.connect();
      // A retriable crash (the group coordinator still loading on a fresh broker, a rebalance) makes
      // kafkajs restart the consumer by itself; only a crash it gives up on ends the read.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) finish(payload.error);
      });
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: options.concurrency ?? 1,
        eachBatch: async ({ batch, pause, heartbeat }) => {
          const end = pending.get(batch.partition);
          if (end === undefined) return;
          const last = BigInt(batch.lastOffset());
          const messages = last < end ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) < end);
          try {
            if (messages.length > 0) await options.onBatch({ partition: batch.partition, messages });
          } catch (error) {
            pending.clear();
            finish(error);
            return;
          }
          if (last + 1n >= end) {
            pending.delete(batch.partition);
            pause();
            if (pending.size === 0) finish();
          }
          await heartbeat();
        },
      });
      await finished;
    } finally {
      // After the read, not inside eachBatch: disconnecting waits for the running batch to return.
      await consumer.disconnect();
      await this.deleteGroup(groupId);
    }
  }

  /** Best effort: an empty group that committed nothing may already be gone. */
  private async deleteGroup(groupId: string): Promise<void> {
    await this.withAdmin((admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }

  private async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
}
