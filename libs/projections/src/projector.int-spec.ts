import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Kafka } from 'kafkajs';
import { eventOf, type IssueToken } from '@libs/domain';
import { EventHasher, EventStore, EventStoreModule, OutboxRelay } from '@libs/event-store';
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
  DeviceCredentialProjection,
  evolveDeviceCredential,
  Projector,
  type DeviceCredentialRow,
} from '@libs/projections';

const issue = (credentialId: string, i: number): IssueToken => ({
  type: 'IssueToken',
  credentialId,
  userId: `auth0|u${i % 7}`,
  clientId: `app-${i % 3}`,
  deviceName: `device-${i % 5}`,
  scope: 'openid offline_access',
  tokenHash: `hash-${credentialId}`,
  grant: 'authorization_code',
  now: new Date(),
});

describe('device-credential projector (real Kafka + PostgreSQL)', () => {
  let stack: TestStack;
  let db: DataSource;
  let projectors: Projector[] = [];
  const ids = Array.from({ length: 30 }, () => `dcr_${randomUUID().replace(/-/g, '').slice(0, 16)}`);

  beforeAll(async () => {
    stack = await createTestStack([EventStoreModule.forRoot({ relay: true })]);
    db = stack.app.get(DataSource);
    const commands = credentialCommands(stack.app.get(EventStore));
    for (const [i, id] of ids.entries()) {
      await commands.execute(id, issue(id, i), { correlationId: 'c' });
      for (let d = 0; d < i % 4; d++) {
        await commands.execute(
          id,
          {
            type: 'DelegateIdToken',
            presentedBy: `app-${i % 3}`,
            target: `app-${i % 3}`,
            apiType: 'app',
            idTokenJti: `j${d}`,
            expiresAt: new Date(Date.now() + 36_000_000),
            via: 'delegation',
            scope: 'openid',
            now: new Date(),
          },
          { correlationId: 'c' },
        );
      }
      if (i % 5 === 0) {
        await commands.execute(
          id,
          { type: 'RevokeToken', reason: 'management_api', actor: 'm', now: new Date() },
          {
            correlationId: 'c',
          },
        );
      }
    }
    await stack.app.get(OutboxRelay).drain();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(projectors.map((p) => p.stop()));
    await stack.close();
    await deleteTopics(testKafka(), [eventTopic(stack.config.kafka.topicPrefix)]);
  }, 30_000);

  const startProjector = async (groupId: string) => {
    const projector = new Projector(stack.app.get(Kafka), db, {
      groupId,
      topic: eventTopic(stack.config.kafka.topicPrefix),
      projection: new DeviceCredentialProjection(),
      hasher: EventHasher.fromConfig(stack.config),
    });
    projectors.push(projector);
    await projector.start();
    return projector;
  };

  /** The view as a fresh fold of the event store says it must be. */
  const expectedView = async () => {
    const store = stack.app.get(EventStore);
    const rows: DeviceCredentialRow[] = [];
    for (const id of ids) {
      const row = (await store.readStream(id)).reduce<DeviceCredentialRow | null>(
        evolveDeviceCredential,
        null,
      );
      rows.push(row!);
    }
    return rows.map(comparable);
  };
  const actualView = async () =>
    (
      await db.query(`SELECT * FROM device_credentials WHERE id = ANY($1) ORDER BY array_position($1, id)`, [
        ids,
      ])
    ).map(comparable);
  const totalEvents = async () => (await db.query('SELECT count(*)::int AS n FROM events'))[0].n as number;

  it('builds the view from the topic, equal to a fold of the event store', async () => {
    await startProjector('projector-a');
    const expected = await expectedView();
    await eventually(async () => JSON.stringify(await actualView()) === JSON.stringify(expected), 30_000);
    expect(await actualView()).toEqual(expected);
    const revoked = expected.filter((r) => r.status === 'revoked').length;
    expect(revoked).toBe(6);
  }, 60_000);

  it('stores a checkpoint per partition covering every event', async () => {
    const [{ covered }] = await db.query(
      `SELECT sum(next_offset)::int AS covered FROM projection_checkpoints WHERE projection = 'device-credentials'`,
    );
    expect(covered).toBe(await totalEvents());
  });

  it('applies nothing twice when the whole topic is delivered again', async () => {
    await Promise.all(projectors.map((p) => p.stop()));
    projectors = [];
    const before = await actualView();
    // The same consumer group, its Kafka offsets reset to the beginning: every event is redelivered.
    const admin = testKafka().admin();
    await admin.connect();
    await admin.resetOffsets({
      groupId: 'projector-a',
      topic: eventTopic(stack.config.kafka.topicPrefix),
      earliest: true,
    });
    await admin.disconnect();
    const again = await startProjector('projector-a');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await actualView()).toEqual(before);
    expect(again.applied).toBe(0);
  }, 60_000);

  it('never skips past its checkpoint when the group offsets ran ahead of it (a missed seek)', async () => {
    await Promise.all(projectors.map((p) => p.stop()));
    projectors = [];
    const expected = await actualView();
    const topic = eventTopic(stack.config.kafka.topicPrefix);
    // The view and its checkpoints back at the start, the group's Kafka offsets half-way through each
    // partition, and the seek on assignment lost (as when PostgreSQL was down while it ran).
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM projection_checkpoints`);
    expect(n).toBeGreaterThan(0); // the earlier tests ran a projector in this group
    await db.query(`DELETE FROM device_credentials WHERE id = ANY($1)`, [ids]);
    await db.query(
      `UPDATE projection_checkpoints SET next_offset = 0 WHERE projection = 'device-credentials'`,
    );
    // The stream heads are part of the view's state (same transaction): back to the start with it.
    await db.query(`DELETE FROM projection_streams WHERE projection = 'device-credentials'`);
    const admin = testKafka().admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: 'projector-a',
      topic,
      partitions: ends.map((p) => ({
        partition: p.partition,
        offset: String(Math.floor(Number(p.high) / 2)),
      })),
    });
    await admin.disconnect();
    const seek = jest
      .spyOn(
        Projector.prototype as unknown as { seekToCheckpoints: () => Promise<void> },
        'seekToCheckpoints',
      )
      .mockResolvedValue(undefined);
    try {
      await startProjector('projector-a');
      await eventually(async () => JSON.stringify(await actualView()) === JSON.stringify(expected), 30_000);
      expect(await actualView()).toEqual(expected);
    } finally {
      seek.mockRestore();
    }
  }, 60_000);

  it('ignores a malformed message without stopping', async () => {
    const producer = stack.app.get(Kafka).producer();
    await producer.connect();
    await producer.send({
      topic: eventTopic(stack.config.kafka.topicPrefix),
      messages: [{ key: 'x', value: 'not json' }],
    });
    await producer.disconnect();
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM device_credentials`);
    await eventually(async () => {
      const [{ covered }] = await db.query(
        `SELECT sum(next_offset)::int AS covered FROM projection_checkpoints WHERE projection = 'device-credentials'`,
      );
      return covered === (await totalEvents()) + 1;
    });
    expect((await db.query(`SELECT count(*)::int AS n FROM device_credentials`))[0].n).toBe(n);
  }, 30_000);

  it('keeps the event contract: the envelope carries no token, only its hash', async () => {
    const [first] = await stack.app.get(EventStore).readStream(ids[0]);
    expect(eventOf(first).type).toBe('TokenIssued');
    expect(Object.keys(first.data).sort()).toEqual(
      [
        'client_id',
        'credential_id',
        'device_name',
        'grant',
        'issued_at',
        'jkt',
        'scope',
        'terms',
        'token_hash',
        'user_id',
      ].sort(),
    );
  });
});

function comparable(row: DeviceCredentialRow) {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: row.id,
    status: row.status,
    user_id: row.user_id,
    client_id: row.client_id,
    device_name: row.device_name,
    delegation_count: Number(row.delegation_count),
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
    version: Number(row.version),
  };
}
