import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface BareReadResult {
  messages: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU time of this process during the read (user + system). */
  cpuSeconds: number;
}

/**
 * The baseline: a bare kafkajs consumer reads `topic` from the beginning to its current end and does
 * nothing with the messages (no decoding, no database). Same fetch sizes and partition concurrency as
 * the replay, a throw-away group deleted afterwards; timed from connect to the last batch, as the
 * replay's own figure is.
 */
export async function bareRead(
  kafka: Kafka,
  topic: string,
  options: { maxBytesPerPartition: number; concurrency: number },
): Promise<BareReadResult> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic))
      .filter((p) => BigInt(p.high) > BigInt(p.low))
      .map((p) => [p.partition, BigInt(p.high)]),
  );
  const groupId = `bench-bare-read-${randomUUID()}`;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: options.maxBytesPerPartition * Math.max(ends.size, 1),
    maxWaitTimeInMs: 250,
  });
  let messages = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: options.concurrency,
    eachBatch: async ({ batch, pause }) => {
      const end = ends.get(batch.partition);
      if (end === undefined) return;
      messages += batch.messages.length;
      if (BigInt(batch.lastOffset()) + 1n >= end) {
        ends.delete(batch.partition);
        pause();
        if (ends.size === 0) done();
      }
    },
  });
  if (ends.size > 0) await finished;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await consumer.disconnect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  return {
    messages,
    seconds,
    eventsPerSecond: messages / seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
