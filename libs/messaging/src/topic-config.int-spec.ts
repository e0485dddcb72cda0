import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { loadConfig } from '@libs/config';
import { deleteTopics, eventually, testBrokers, testKafka, uniqueName } from '@libs/testing';
import { ConsumerGroup, createKafka, ensureTopics, eventTopicSpec, KafkaProducer } from '@libs/messaging';

const SETTINGS = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'min.insync.replicas',
  'max.message.bytes',
];

/**
 * The event topic's configuration as the service sets it, read back from the real broker with
 * describeConfigs: infinite retention, delete (never compact), and an existing topic that drifted is
 * set back at boot (or reported, for what the service must not change).
 */
describe('event topic configuration (real Kafka broker)', () => {
  const config = loadConfig({
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_TOPIC_PREFIX: `${uniqueName('it-topic')}.`,
  });
  const spec = eventTopicSpec(config.kafka);
  const drifted = uniqueName('it-drifted');
  let kafka: Kafka;
  let admin: Admin;
  let producer: KafkaProducer;
  const groups: ConsumerGroup[] = [];

  const settingsOf = async (topic: string) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: SETTINGS }],
    });
    return Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  };
  const layoutOf = async (topic: string) => {
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    return { partitions: meta.partitions.length, replicas: meta.partitions.map((p) => p.replicas.length) };
  };

  beforeAll(async () => {
    kafka = createKafka(config, 'it');
    admin = testKafka().admin();
    await admin.connect();
    producer = new KafkaProducer(kafka);
  });
  afterAll(async () => {
    await Promise.all(groups.map((g) => g.stop()));
    await producer.disconnect();
    await admin.disconnect();
    await deleteTopics(testKafka(), [spec.name, drifted]);
  }, 30_000);

  it('is configured from the environment: 3 partitions, 1 replica, min.insync.replicas 1 by default', () => {
    expect(spec).toEqual({
      name: `${config.kafka.topicPrefix}auth.device-credentials.events.v1`,
      partitions: 3,
      replicationFactor: 1,
      config: {
        'cleanup.policy': 'delete',
        'retention.ms': '-1',
        'retention.bytes': '-1',
        'min.insync.replicas': '1',
      },
      enforce: ['cleanup.policy', 'retention.ms', 'retention.bytes'],
    });
    const production = loadConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' });
    expect(eventTopicSpec(production.kafka)).toMatchObject({
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    });
    expect(() => loadConfig({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      /KAFKA_MIN_INSYNC_REPLICAS=2: must not exceed KAFKA_REPLICATION_FACTOR=1/,
    );
  });

  it('creates the topic with infinite retention, delete policy, the configured partitions and replicas', async () => {
    expect(await ensureTopics(kafka, [spec])).toEqual([]);
    expect(await settingsOf(spec.name)).toMatchObject({
      'cleanup.policy': 'delete',
      'retention.ms': '-1',
      'retention.bytes': '-1',
      'min.insync.replicas': '1',
    });
    expect(await layoutOf(spec.name)).toEqual({ partitions: 3, replicas: [1, 1, 1] });
    // A second boot finds nothing to change.
    expect(await ensureTopics(kafka, [spec])).toEqual([]);
  }, 30_000);

  it('sets an existing topic with finite retention or compaction back, keeping other overrides', async () => {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: drifted,
          numPartitions: 2,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: '3600000' },
            { name: 'retention.bytes', value: '1073741824' },
            { name: 'max.message.bytes', value: '2000000' },
          ],
        },
      ],
    });

    const drifts = await ensureTopics(kafka, [{ ...spec, name: drifted }]);

    expect(drifts).toEqual(
      expect.arrayContaining([
        {
          topic: drifted,
          setting: 'cleanup.policy',
          expected: 'delete',
          actual: 'compact',
          action: 'corrected',
        },
        { topic: drifted, setting: 'retention.ms', expected: '-1', actual: '3600000', action: 'corrected' },
        {
          topic: drifted,
          setting: 'retention.bytes',
          expected: '-1',
          actual: '1073741824',
          action: 'corrected',
        },
        // More partitions would move credentials to other partitions and break their order: reported only.
        { topic: drifted, setting: 'partitions', expected: '3', actual: '2', action: 'reported' },
      ]),
    );
    expect(drifts).toHaveLength(4);
    expect(await settingsOf(drifted)).toMatchObject({
      'cleanup.policy': 'delete',
      'retention.ms': '-1',
      'retention.bytes': '-1',
      'max.message.bytes': '2000000',
    });
    expect((await layoutOf(drifted)).partitions).toBe(2);
    expect(await ensureTopics(kafka, [{ ...spec, name: drifted }])).toEqual([
      { topic: drifted, setting: 'partitions', expected: '3', actual: '2', action: 'reported' },
    ]);
  }, 30_000);

  it('reports, and leaves alone, a min.insync.replicas an operator changed', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: [...Object.entries(spec.config!)].map(([name, value]) => ({
            name,
            value: name === 'min.insync.replicas' ? '2' : value,
          })),
        },
      ],
    });
    expect(await ensureTopics(kafka, [spec])).toEqual([
      { topic: spec.name, setting: 'min.insync.replicas', expected: '1', actual: '2', action: 'reported' },
    ]);
    expect((await settingsOf(spec.name))['min.insync.replicas']).toBe('2');
    // Put back, or the single test broker (1 replica) would refuse acks=all produces below.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: Object.entries(spec.config!).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    expect(await ensureTopics(kafka, [spec])).toEqual([]);
  }, 30_000);

  it('gives a new consumer group, reading from the beginning, every event ever produced', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `dcr_${String(i).padStart(16, '0')}`);
    const sent: { key: string; value: string }[] = [];
    // Three "releases" of traffic, the first with timestamps two years old (a republished old log):
    // whatever their age, infinite retention keeps them.
    const twoYearsAgo = Date.now() - 2 * 365 * 24 * 3600 * 1000;
    for (const [round, timestamp] of [twoYearsAgo, Date.now() - 3600_000, Date.now()].entries()) {
      const messages = keys.flatMap((key, k) =>
        [1, 2].map((n) => ({ key, value: `${key}#${round * 2 + n}`, timestamp: String(timestamp + k) })),
      );
      await producer.send(spec.name, messages);
      sent.push(...messages.map(({ key, value }) => ({ key, value })));
    }
    const offsets = await admin.fetchTopicOffsets(spec.name);
    expect(offsets.every((p) => p.low === '0')).toBe(true);

    const read = (groupId: string) => {
      const seen: { key: string; value: string }[] = [];
      const group = new ConsumerGroup(kafka, {
        groupId,
        topics: [spec.name],
        fromBeginning: true,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) seen.push({ key: m.key!.toString(), value: m.value!.toString() });
        },
      });
      groups.push(group);
      return { seen, started: group.start() };
    };
    const first = read(uniqueName('it-new-group'));
    await first.started;
    await eventually(() => first.seen.length >= sent.length, 60_000);
    // A group created later still starts at the first event.
    const later = read(uniqueName('it-later-group'));
    await later.started;
    await eventually(() => later.seen.length >= sent.length, 60_000);

    for (const { seen } of [first, later]) {
      expect(seen).toHaveLength(sent.length);
      // Per key (credential), in the order produced.
      for (const key of keys) {
        expect(seen.filter((m) => m.key === key).map((m) => m.value)).toEqual(
          sent.filter((m) => m.key === key).map((m) => m.value),
        );
      }
    }
  }, 120_000);
});
