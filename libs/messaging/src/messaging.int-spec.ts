import { Kafka } from 'kafkajs';
import { loadConfig } from '@libs/config';
import { deleteTopics, eventually, testBrokers, testKafka, uniqueName } from '@libs/testing';
import { ConsumerGroup, createKafka, ensureTopics, KafkaProbe, KafkaProducer } from '@libs/messaging';

describe('messaging (real Kafka broker)', () => {
  const topic = uniqueName('it-messaging');
  const groupId = uniqueName('it-group');
  const config = loadConfig({ KAFKA_BROKERS: testBrokers().join(',') });
  let kafka: Kafka;
  let producer: KafkaProducer;
  const members: ConsumerGroup[] = [];

  beforeAll(async () => {
    kafka = createKafka(config, 'it');
    producer = new KafkaProducer(kafka);
    await ensureTopics(kafka, [{ name: topic, partitions: 4, config: { 'retention.ms': '-1' } }]);
  });
  afterAll(async () => {
    await Promise.all(members.map((m) => m.stop()));
    await producer.disconnect();
    await deleteTopics(testKafka(), [topic]);
  });

  it('creates a topic once; a second ensureTopics is a no-op', async () => {
    await ensureTopics(kafka, [{ name: topic, partitions: 4 }]);
    const admin = kafka.admin();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    await admin.disconnect();
    expect(meta.partitions).toHaveLength(4);
  });

  it('produces, consumes in a group, and rebalances when a second member joins', async () => {
    const received = new Map<string, string[]>(); // message value -> members that saw it
    const assignments: Record<string, number[]>[] = [[], []].map(() => ({}));
    const member = (index: number) =>
      new ConsumerGroup(kafka, {
        groupId,
        topics: [topic],
        fromBeginning: true,
        onAssignment: (assignment) => (assignments[index] = assignment),
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const value = m.value!.toString();
            received.set(value, [...(received.get(value) ?? []), `m${index}`]);
          }
        },
      });
    const send = (from: number, count: number) =>
      producer.send(
        topic,
        Array.from({ length: count }, (_, i) => ({
          key: `key-${(from + i) % 16}`,
          value: `message-${from + i}`,
        })),
      );

    await send(0, 100);
    members.push(member(0));
    await members[0].start();
    await eventually(() => received.size === 100);
    expect(assignments[0][topic]?.sort()).toEqual([0, 1, 2, 3]);

    members.push(member(1));
    await members[1].start();
    await eventually(
      () => (assignments[1][topic]?.length ?? 0) > 0 && (assignments[0][topic]?.length ?? 0) < 4,
    );
    const owned = [...assignments[0][topic], ...assignments[1][topic]].sort();
    expect(owned).toEqual([0, 1, 2, 3]); // every partition owned by exactly one member

    await send(100, 100);
    await eventually(() => received.size === 200);
    const after = [...received.entries()].filter(([v]) => Number(v.split('-')[1]) >= 100);
    expect(new Set(after.flatMap(([, seenBy]) => seenBy))).toEqual(new Set(['m0', 'm1']));
  }, 60_000);

  it('keeps the messages of one key in one partition, in order', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(200);
  });

  it('reports the broker reachable through the readiness probe', async () => {
    const probe = new KafkaProbe(kafka);
    await expect(probe.check()).resolves.toBeUndefined();
    await probe.close();
  });

  it('reports an unreachable broker as down within its timeout', async () => {
    const probe = new KafkaProbe(
      createKafka(loadConfig({ KAFKA_BROKERS: '127.0.0.1:1' }), 'it', { retries: 0 }),
    );
    const started = Date.now();
    await expect(probe.check(1_500)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
