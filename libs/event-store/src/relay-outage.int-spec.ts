import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { IssueToken } from '@libs/domain';
import { eventTopic } from '@libs/messaging';
import {
  credentialCommands,
  createTestStack,
  DedicatedKafkaBroker,
  eventually,
  type TestStack,
} from '@libs/testing';
import { decodeEnvelope, EventStoreModule, EventStore } from '@libs/event-store';

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

/** A broker of its own, stopped and started while the service writes: nothing may be lost. */
describe('outbox relay across a Kafka outage (real broker stopped and started)', () => {
  let broker: DedicatedKafkaBroker;
  let stack: TestStack;

  beforeAll(async () => {
    broker = await DedicatedKafkaBroker.create();
    stack = await createTestStack([EventStoreModule.forRoot({ relay: true })], {
      KAFKA_BROKERS: broker.brokers,
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await broker?.destroy();
  }, 60_000);

  const outbox = async () =>
    (await stack.app.get(DataSource).query('SELECT count(*)::int AS n FROM outbox'))[0].n as number;

  it('keeps issuing while Kafka is down and publishes everything once it is back', async () => {
    const commands = credentialCommands(stack.app.get(EventStore));
    const before = Array.from({ length: 20 }, () => `dcr_${randomUUID().slice(0, 8)}`);
    for (const id of before) await commands.execute(id, issue(id), { correlationId: 'before' });
    await eventually(async () => (await outbox()) === 0, 30_000);

    await broker.stop();
    const during = Array.from({ length: 50 }, () => `dcr_${randomUUID().slice(0, 8)}`);
    for (const id of during) await commands.execute(id, issue(id), { correlationId: 'during' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await outbox()).toBe(50); // queued, not lost, not half-published

    await broker.start();
    await eventually(async () => (await outbox()) === 0, 60_000);

    const kafka = new Kafka({ clientId: 'reader', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    const seen = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topic: eventTopic(stack.config.kafka.topicPrefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.add(decodeEnvelope(message).stream_id),
    });
    try {
      await eventually(() => [...before, ...during].every((id) => seen.has(id)), 30_000);
    } finally {
      await consumer.disconnect();
    }
  }, 180_000);
});
