import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@libs/domain';
import { encodeEnvelope, EventStore, EventStoreModule } from '@libs/event-store';
import { ensureTopics, KafkaProducer } from '@libs/messaging';
import {
  credentialCommands,
  createTestStack,
  deleteTopics,
  runCaptured,
  testKafka,
  uniqueName,
  type TestStack,
} from '@libs/testing';
import { TopicSnapshotReader } from './replay/topic-snapshot.reader';
import { RepublishCommand } from './republish/republish.command';

const credentialId = () => `dcr_${randomUUID().replace(/-/g, '').slice(0, 20)}`;

describe('audit republish (real Kafka + PostgreSQL)', () => {
  let stack: TestStack;
  let db: DataSource;
  let command: RepublishCommand;
  let commands: ReturnType<typeof credentialCommands>;
  const topics: string[] = [];
  const ids = Array.from({ length: 25 }, credentialId);
  const context = { correlationId: 'it-republish' };

  const freshTopic = () => {
    const topic = uniqueName('it-republish');
    topics.push(topic);
    return topic;
  };

  const run = (args: string[]) => runCaptured(command, args);

  const delegate = (id: string) =>
    commands.execute(
      id,
      {
        type: 'DelegateIdToken',
        presentedBy: 'app',
        target: 'app',
        apiType: 'app',
        idTokenJti: randomUUID(),
        expiresAt: new Date(Date.now() + 36_000_000),
        via: 'refresh_token',
        scope: 'openid',
        now: new Date(),
      },
      context,
    );

  /** Every message on the topic as (stream, version, event id), in partition order. */
  const readTopic = async (topic: string) => {
    const reader = new TopicSnapshotReader(stack.app.get(Kafka));
    const seen: { stream: string; version: number; eventId: string; partition: number }[] = [];
    await reader.read({
      topic,
      ranges: await reader.endOffsets(topic),
      groupPrefix: 'it-republish-check',
      onBatch: async ({ partition, messages }) => {
        for (const m of messages) {
          const e = JSON.parse(m.value!.toString());
          expect(m.key!.toString()).toBe(e.stream_id);
          seen.push({ stream: e.stream_id, version: e.stream_version, eventId: e.event_id, partition });
        }
      },
    });
    return seen;
  };

  /** Per stream, its event ids in topic order, at-least-once duplicates dropped. */
  const streamsOnTopic = async (topic: string) => {
    const streams = new Map<string, string[]>();
    for (const m of await readTopic(topic)) {
      const events = streams.get(m.stream) ?? [];
      if (!events.includes(m.eventId)) events.push(m.eventId);
      streams.set(m.stream, events);
    }
    return streams;
  };

  const streamsInStore = async () => {
    const rows: { stream_id: string; event_id: string }[] = await db.query(
      `SELECT stream_id, event_id::text FROM events ORDER BY stream_id, stream_version`,
    );
    const streams = new Map<string, string[]>();
    for (const r of rows) streams.set(r.stream_id, [...(streams.get(r.stream_id) ?? []), r.event_id]);
    return streams;
  };

  const storeCount = async () => (await db.query(`SELECT count(*)::int AS n FROM events`))[0].n as number;

  const publishRaw = async (topic: string, envelopes: EventEnvelope[]) => {
    await ensureTopics(stack.app.get(Kafka), [{ name: topic, partitions: stack.config.kafka.partitions }]);
    const producer = new KafkaProducer(stack.app.get(Kafka));
    await producer.send(
      topic,
      envelopes.map((e) => encodeEnvelope(e)),
    );
    await producer.disconnect();
  };

  beforeAll(async () => {
    // No relay: the store fills, the topic stays empty — as after losing the Kafka cluster.
    stack = await createTestStack([EventStoreModule.forRoot({ relay: false })]);
    db = stack.app.get(DataSource);
    commands = credentialCommands(stack.app.get(EventStore));
    command = new RepublishCommand(stack.app.get(Kafka), stack.app.get(KafkaProducer), db, stack.config);
    for (const [i, id] of ids.entries()) {
      await commands.execute(
        id,
        {
          type: 'IssueToken',
          credentialId: id,
          userId: `auth0|u${i % 4}`,
          clientId: 'app',
          deviceName: `device-${i}`,
          scope: 'openid offline_access',
          tokenHash: `hash-${id}`,
          grant: 'password',
          now: new Date(),
        },
        context,
      );
    }
    // Interleave the streams in the store's global order, as real traffic does.
    for (let round = 0; round < 3; round++) {
      for (const [i, id] of ids.entries()) if ((i + round) % 3 !== 0) await delegate(id);
    }
    for (const id of ids.slice(0, 5)) {
      await commands.execute(
        id,
        { type: 'RevokeToken', reason: 'oauth_revoke', actor: 'app', now: new Date() },
        context,
      );
    }
  }, 120_000);

  afterAll(async () => {
    await stack.close();
    await deleteTopics(testKafka(), topics);
  }, 30_000);

  it('creates the topic and publishes every stream in the store’s order; a second run publishes 0', async () => {
    const topic = freshTopic();
    const total = await storeCount();
    const first = await run(['--topic', topic]);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${topic} (created)`);
    expect(first.out).toMatch(new RegExp(`already present +0\\n`));
    expect(first.out).toMatch(new RegExp(`published +${total}\\n`));
    expect(await streamsOnTopic(topic)).toEqual(await streamsInStore());

    const admin = stack.app.get(Kafka).admin();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    await admin.disconnect();
    expect(meta.partitions).toHaveLength(stack.config.kafka.partitions);

    const second = await run(['--topic', topic, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({
      outcome: 'published',
      created: false,
      topicMessages: total,
      alreadyPresent: total,
      published: 0,
    });
    expect(await readTopic(topic)).toHaveLength(total);
  }, 90_000);

  it('publishes only what a partial topic lacks, after each stream’s last event there', async () => {
    const topic = freshTopic();
    const store = stack.app.get(EventStore);
    // The topic holds a prefix of each stream (none of some), with an at-least-once duplicate batch.
    const prefix: EventEnvelope[] = [];
    for (const [i, id] of ids.entries()) prefix.push(...(await store.readStream(id)).slice(0, i % 3));
    await publishRaw(topic, prefix);
    await publishRaw(topic, prefix.slice(0, 5));
    const total = await storeCount();

    const { code, out } = await run(['--topic', topic, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      created: false,
      topicMessages: prefix.length + 5,
      alreadyPresent: prefix.length,
      published: total - prefix.length,
    });
    expect(await streamsOnTopic(topic)).toEqual(await streamsInStore());
    expect((await run(['--topic', topic, '--json'])).out).toContain('"published": 0');
  }, 90_000);

  it('publishes events appended to the store since the last run', async () => {
    const topic = freshTopic();
    await run(['--topic', topic]);
    await delegate(ids[7]);
    await delegate(ids[7]);
    const { code, out } = await run(['--topic', topic, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ published: 2 });
    expect(await streamsOnTopic(topic)).toEqual(await streamsInStore());
  }, 90_000);

  it('refuses, publishing nothing, when a stream misses an event below one it holds', async () => {
    const topic = freshTopic();
    const [v1, , v3] = await stack.app.get(EventStore).readStream(ids[1]);
    await publishRaw(topic, [v1, v3]);
    const { code, err } = await run(['--topic', topic]);
    expect(code).toBe(1);
    expect(err).toContain(`stream ${ids[1]}: the topic holds version 3 but misses an earlier one`);
    expect(err).toContain('nothing was published');
    expect(err).toMatch(
      /npm run audit -- republish --topic recovered\..*auth\.device-credentials\.events\.v1/,
    );
    expect(await readTopic(topic)).toHaveLength(2);
  }, 90_000);

  it('refuses when the topic holds an event the store does not have', async () => {
    const topic = freshTopic();
    const [v1] = await stack.app.get(EventStore).readStream(ids[2]);
    await publishRaw(topic, [{ ...v1, hash: 'f'.repeat(64) }]);
    const { code, err } = await run(['--topic', topic]);
    expect(code).toBe(1);
    expect(err).toContain(`stream ${ids[2]}: the topic's version 1 is not the store's event`);
  }, 90_000);
});
