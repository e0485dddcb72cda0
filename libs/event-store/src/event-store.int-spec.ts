import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { eventOf, type EventEnvelope, type IssueToken } from '@libs/domain';
import { eventTopic } from '@libs/messaging';
import {
  credentialCommands,
  createTestStack,
  deleteTopics,
  eventually,
  testKafka,
  type TestStack,
} from '@libs/testing';
import {
  ConcurrencyError,
  decodeEnvelope,
  EventStore,
  eventHash,
  EventHasher,
  EventStoreModule,
  OutboxRelay,
} from '@libs/event-store';

const issue = (credentialId: string): IssueToken => ({
  type: 'IssueToken',
  credentialId,
  userId: 'auth0|u1',
  clientId: 'app-1',
  deviceName: 'Pixel',
  scope: 'openid offline_access',
  tokenHash: `hash-${credentialId}`,
  grant: 'password',
  now: new Date(),
});
const context = () => ({ correlationId: randomUUID() });

describe('event store, commands and outbox relay (real PostgreSQL + Kafka)', () => {
  let stack: TestStack;
  let store: EventStore;
  let commands: ReturnType<typeof credentialCommands>;
  let relay: OutboxRelay;

  beforeAll(async () => {
    stack = await createTestStack([EventStoreModule.forRoot({ relay: true })]);
    store = stack.app.get(EventStore);
    commands = credentialCommands(stack.app.get(EventStore));
    relay = stack.app.get(OutboxRelay);
  });
  afterAll(async () => {
    await stack.close();
    await deleteTopics(testKafka(), [eventTopic(stack.config.kafka.topicPrefix)]);
  }, 30_000);

  it('appends a stream whose events chain by hash', async () => {
    const id = `dcr_${randomUUID().slice(0, 8)}`;
    await commands.execute(id, issue(id), context());
    await commands.execute(
      id,
      { type: 'RevokeToken', reason: 'management_api', actor: 'x', now: new Date() },
      context(),
    );
    const events = await store.readStream(id);
    expect(events.map((e) => [e.type, e.stream_version])).toEqual([
      ['TokenIssued', 1],
      ['TokenRevoked', 2],
    ]);
    expect(events[0].previous_hash).toBeNull();
    expect(events[1].previous_hash).toBe(events[0].hash);
    // Keyed under the audit key, and caused by the command that recorded it.
    const hasher = EventHasher.fromConfig(stack.config);
    for (const e of events) {
      expect(e.hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(hasher.verify(e)).toBe(true);
      const { hash, ...rest } = e;
      expect(eventHash(rest)).not.toBe(hash);
    }
    expect(events[0].causation_id).toMatch(/^IssueToken:[0-9a-f-]{36}$/);
    expect(events[1].causation_id).toMatch(/^RevokeToken:[0-9a-f-]{36}$/);
  });

  it('refuses a stale writer (optimistic concurrency)', async () => {
    const id = `dcr_${randomUUID().slice(0, 8)}`;
    const [issued] = (await commands.execute(id, issue(id), context())).events;
    const position = { version: 1, hash: issued.hash };
    const revoked = { type: 'TokenRevoked' as const, data: { ...eventOf(issued).data } as never };
    await store.append(id, position, [revoked], context());
    await expect(store.append(id, position, [revoked], context())).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('records one TokenRevoked for concurrent revocations of one credential', async () => {
    const id = `dcr_${randomUUID().slice(0, 8)}`;
    await commands.execute(id, issue(id), context());
    const revoke = {
      type: 'RevokeToken' as const,
      reason: 'management_api' as const,
      actor: 'x',
      now: new Date(),
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => commands.execute(id, revoke, context())),
    );
    expect(results.flatMap((r) => r.events)).toHaveLength(1);
    expect((await store.readStream(id)).filter((e) => e.type === 'TokenRevoked')).toHaveLength(1);
  });

  it('publishes every committed event to Kafka keyed by credential, in stream order, and empties the outbox', async () => {
    const ids = Array.from({ length: 5 }, () => `dcr_${randomUUID().slice(0, 8)}`);
    for (const id of ids) {
      await commands.execute(id, issue(id), context());
      await commands.execute(
        id,
        { type: 'RevokeToken', reason: 'oauth_revoke', actor: 'app-1', now: new Date() },
        context(),
      );
    }
    await relay.drain();
    await eventually(async () => (await outboxCount(stack)) === 0);

    const expected = await allEvents(stack);
    const consumed = await consumeAll(eventTopic(stack.config.kafka.topicPrefix), expected.length);
    expect(new Set(consumed.map((m) => m.envelope.event_id))).toEqual(
      new Set(expected.map((e) => e.event_id)),
    );
    for (const m of consumed) expect(m.key).toBe(m.envelope.stream_id);
    for (const id of ids) {
      const versions = consumed
        .filter((m) => m.envelope.stream_id === id)
        .map((m) => m.envelope.stream_version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
    expect(await outboxCount(stack)).toBe(0);
  }, 60_000);

  it('never skips an event whose transaction took its position early and committed late', async () => {
    const db = stack.app.get(DataSource);
    const queued = async (ids: string[]) =>
      (await db.query('SELECT count(*)::int AS n FROM outbox WHERE event_id = ANY($1::uuid[])', [ids]))[0]
        .n as number;
    // A transaction that writes an event, then waits while later ones commit, then writes one more.
    const late = db.createQueryRunner();
    await late.connect();
    await late.startTransaction();
    const lateInsert = async () => {
      const id = `dcr_${randomUUID().slice(0, 8)}`;
      const eventId = randomUUID();
      await late.query(
        `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, occurred_at,
           correlation_id, hash, data)
         VALUES ($1, $2, 1, 'TokenRevoked', 1, now(), 'late', 'h', $3::jsonb)`,
        [eventId, id, JSON.stringify({ credential_id: id, reason: 'oauth_revoke' })],
      );
      return eventId;
    };
    const lateIds = [await lateInsert()]; // a position below the ones committed next
    const earlyIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = `dcr_${randomUUID().slice(0, 8)}`;
      earlyIds.push(...(await commands.execute(id, issue(id), context())).events.map((e) => e.event_id));
    }
    lateIds.push(await lateInsert()); // a position above them, the same (older) transaction
    await relay.drain(500);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the relay's own loop runs meanwhile
    // Committed after the open transaction began: held back, not published past it.
    expect(await queued(earlyIds)).toBe(earlyIds.length);

    await late.commitTransaction();
    await late.release();
    await relay.drain();
    await eventually(async () => (await queued([...lateIds, ...earlyIds])) === 0);
    const consumed = await consumeAll(
      eventTopic(stack.config.kafka.topicPrefix),
      (await allEvents(stack)).length,
    );
    const published = new Set(consumed.map((m) => m.envelope.event_id));
    for (const id of [...lateIds, ...earlyIds]) expect(published.has(id)).toBe(true);
  }, 60_000);
});

async function outboxCount(stack: TestStack): Promise<number> {
  const [{ n }] = await stack.app.get(DataSource).query('SELECT count(*)::int AS n FROM outbox');
  return n;
}

async function allEvents(stack: TestStack): Promise<EventEnvelope[]> {
  return stack.app.get(DataSource).query('SELECT event_id, stream_id, stream_version FROM events');
}

/** Reads a topic from the beginning with a consumer group of its own, as another service would. */
export async function consumeAll(topic: string, count: number) {
  const consumer = testKafka().consumer({ groupId: `reader-${randomUUID()}` });
  const out: { key: string; envelope: EventEnvelope; message: KafkaMessage }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      out.push({ key: message.key!.toString(), envelope: decodeEnvelope(message), message });
    },
  });
  try {
    await eventually(() => out.length >= count, 30_000);
  } finally {
    await consumer.disconnect();
  }
  return out;
}
