import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { decodeEnvelope } from '@libs/event-store';
import { eventTopic } from '@libs/messaging';
import {
  DedicatedKafkaBroker,
  eventually,
  startSystem,
  TenantClient,
  type RunningSystem,
} from '@libs/testing';
import { JWT_BEARER } from './fixtures/oauth';

/** Kafka stopped under the running system: issuance and delegation go on; nothing is lost once it is back. */
describe('Kafka outage (e2e, a broker of its own stopped and started)', () => {
  let broker: DedicatedKafkaBroker;
  let system: RunningSystem;

  beforeAll(async () => {
    broker = await DedicatedKafkaBroker.create();
    system = await startSystem({ env: { KAFKA_BROKERS: broker.brokers } });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await broker?.destroy();
  }, 60_000);

  it('keeps issuing and delegating while Kafka is down, then publishes every event', async () => {
    const tenant = new TenantClient(system.url);
    const app = await tenant.createClient({
      name: 'Outage app',
      app_type: 'native',
      callbacks: ['com.example.outage://cb'],
      grant_types: ['refresh_token', JWT_BEARER, 'password'],
    });
    const user = await tenant.createUser(
      `outage-${randomUUID().slice(0, 8)}@example.com`,
      'a long enough password',
    );
    const login = (device: string) =>
      tenant.form('/oauth/token', {
        grant_type: 'password',
        client_id: app.client_id,
        username: user.email,
        password: 'a long enough password',
        scope: 'openid offline_access',
        device,
      });

    await broker.stop();
    await eventually(async () => (await fetch(`${system.url}/health/ready`)).status === 503, 15_000);
    const ready = (await (await fetch(`${system.url}/health/ready`)).json()) as { down: string[] };
    expect(ready.down).toEqual(['kafka']);

    const issued = await login('offline phone');
    expect(issued.status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await tenant.json('POST', '/delegation', {
        client_id: app.client_id,
        grant_type: JWT_BEARER,
        refresh_token: issued.body.refresh_token,
      });
      expect(res.status).toBe(200);
    }

    await broker.start();
    await eventually(async () => (await fetch(`${system.url}/health/ready`)).status === 200, 30_000);

    const db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
    const ids: string[] = (await db.query('SELECT event_id FROM events')).map(
      (r: { event_id: string }) => r.event_id,
    );
    await eventually(
      async () => Number((await db.query('SELECT count(*)::int AS n FROM outbox'))[0].n) === 0,
      60_000,
    );
    await db.destroy();
    expect(ids.length).toBe(6);

    const kafka = new Kafka({ clientId: 'reader', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    const seen = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topic: eventTopic(system.topicPrefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.add(decodeEnvelope(message).event_id),
    });
    try {
      await eventually(() => ids.every((id) => seen.has(id)), 30_000);
    } finally {
      await consumer.disconnect();
    }
  }, 180_000);
});
