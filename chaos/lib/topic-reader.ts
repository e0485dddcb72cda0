import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { upcast, type EventEnvelope } from '@libs/domain';
import { decodeEnvelope } from '@libs/event-store';
import { withTimeout } from './waits';

export interface TopicRead {
  /** New messages as events, each partition's in offset order (partitions one after the other). */
  envelopes: EventEnvelope[];
  /** Event ids seen for the first time in this read. */
  newIds: string[];
  /** Messages whose event id was on the topic already (at-least-once republishing; not a violation). */
  republished: number;
  /** Messages that are not an event envelope (or of a schema version this release cannot read). */
  malformed: number;
}

/**
 * Reads the event topic the way a new consumer would, with a throw-away consumer group, from where the
 * previous read stopped up to the current high watermarks: after every scenario the chaos run has read
 * the whole topic once, and knows every event id on it. Events are upcast as the projector does.
 */
export class TopicReader {
  /** Event ids ever read from the topic. */
  readonly ids = new Set<string>();
  private readonly next = new Map<number, bigint>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async readToEnd(highWatermarks: bigint[], timeoutMs: number): Promise<TopicRead> {
    const targets = new Map<number, bigint>();
    highWatermarks.forEach((high, partition) => {
      if (high > (this.next.get(partition) ?? 0n)) targets.set(partition, high);
    });
    const byPartition = new Map<number, EventEnvelope[]>();
    const read: TopicRead = { envelopes: [], newIds: [], republished: 0, malformed: 0 };
    if (targets.size === 0) return read;

    const consumer = this.kafka.consumer({
      groupId: `chaos-reader-${randomUUID()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const remaining = new Set(targets.keys());
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const partition of payload.memberAssignment[this.topic] ?? []) {
          const offset = this.next.get(partition);
          if (offset) consumer.seek({ topic: this.topic, partition, offset: offset.toString() });
        }
      });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const { partition } = batch;
          const target = targets.get(partition);
          if (target === undefined) return;
          const list = byPartition.get(partition) ?? [];
          byPartition.set(partition, list);
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            // A seek lands after the first fetch may have started: skip what an earlier read covered.
            if (offset < (this.next.get(partition) ?? 0n) || offset >= target) continue;
            this.next.set(partition, offset + 1n);
            try {
              const envelope = upcast(decodeEnvelope(message));
              list.push(envelope);
              if (this.ids.has(envelope.event_id)) read.republished++;
              else {
                this.ids.add(envelope.event_id);
                read.newIds.push(envelope.event_id);
              }
            } catch {
              read.malformed++;
            }
          }
          if ((this.next.get(partition) ?? 0n) >= target) {
            remaining.delete(partition);
            if (remaining.size === 0) finish();
          }
        },
      });
      await withTimeout('reading the topic to its high watermarks', finished, timeoutMs);
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    for (const partition of [...byPartition.keys()].sort((a, b) => a - b)) {
      read.envelopes.push(...byPartition.get(partition)!);
    }
    return read;
  }
}
