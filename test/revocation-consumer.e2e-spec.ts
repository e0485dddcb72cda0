import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { logLevel, Partitioners, type IHeaders, type Message } from 'kafkajs';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  MANAGEMENT,
  startSystem,
  TenantClient,
  testBrokers,
  testKafka,
  uniqueName,
  type RunningSystem,
} from '@libs/testing';
import {
  startRevocationConsumer,
  UnsupportedEventError,
  type RunningConsumer,
  type StartOptions,
} from '../examples/revocation-consumer/consumer';
import type { LogLine } from '../examples/revocation-consumer/log';
import { loadState } from '../examples/revocation-consumer/state-file';
import { JWT_BEARER } from './fixtures/oauth';

const ROOT = resolve(__dirname, '..');
const DEVICES = ['phone', 'tablet', 'laptop'] as const;
type Device = (typeof DEVICES)[number];

/**
 * The example revocation consumer, as another team would run it, against the real service (api +
 * projector processes), the real broker and the service's real event topic: revocations from the
 * Management API and `/oauth/revoke` reach its deny-list once, redeliveries and garbage do not.
 */
describe('revocation consumer example (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let topic: string;
  let dir: string;
  const scratchTopics: string[] = [];
  const running: RunningConsumer[] = [];
  const groups: string[] = [];
  /** A consumer group of its own, deleted after the file. */
  const group = (prefix: string) => {
    const id = uniqueName(prefix);
    groups.push(id);
    return id;
  };
  const ids = {} as Record<Device, string>;
  const tokens = {} as Record<Device, string>;
  let app: { client_id: string };
  let user: { user_id: string; email: string };

  /** Starts the example in-process on the service's topic, with a group of its own and captured logs. */
  const start = async (options: Partial<StartOptions> = {}) => {
    const lines: LogLine[] = [];
    const consumer = await startRevocationConsumer({
      brokers: testBrokers(),
      topic,
      groupId: group('revocation-consumer'),
      clientId: 'revocation-consumer-e2e',
      kafkaLogLevel: logLevel.NOTHING,
      log: (line) => lines.push(line),
      ...options,
    });
    running.push(consumer);
    const logged = (msg: string) => lines.filter((l) => l.msg === msg);
    return { consumer, lines, logged };
  };
  const produce = async (target: string, messages: Message[]) => {
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: target, messages, acks: -1 });
    await producer.disconnect();
  };
  let revocations: Promise<Map<string, Message>> | undefined;
  /** The service's own TokenRevoked messages for the phone and the tablet, read once. */
  const revocationOf = async (device: 'phone' | 'tablet') => {
    revocations ??= rawRevocations(topic, group('raw-reader'), [ids.phone, ids.tablet]);
    return (await revocations).get(ids[device])!;
  };
  const listed = () =>
    tenant.management('GET', `/device-credentials?user_id=${encodeURIComponent(user.user_id)}`);

  beforeAll(async () => {
    system = await startSystem();
    topic = eventTopic(system.topicPrefix);
    tenant = new TenantClient(system.url);
    dir = await mkdtemp(join(tmpdir(), 'revocation-consumer-'));
    app = await tenant.createClient({
      name: 'Native app',
      app_type: 'native',
      callbacks: ['com.example.app://callback'],
      grant_types: ['password', 'refresh_token', JWT_BEARER],
    });
    const password = 'correct horse battery staple';
    user = await tenant.createUser(`deny-${randomUUID().slice(0, 8)}@example.com`, password);
    for (const device of DEVICES) {
      const res = await tenant.form('/oauth/token', {
        grant_type: 'password',
        client_id: app.client_id,
        username: user.email,
        password,
        scope: 'openid offline_access',
        device,
      });
      expect(res.status).toBe(200);
      tokens[device] = res.body.refresh_token;
    }
    // The list is served from the projection, which follows the topic: wait for the three to appear.
    const credentials = await eventually(async () => {
      const res = await listed();
      return res.body.length === 3 ? (res.body as { id: string; device_name: Device }[]) : undefined;
    });
    for (const c of credentials!) ids[c.device_name] = c.id;

    expect((await tenant.management('DELETE', `/device-credentials/${ids.phone}`)).status).toBe(204);
    const revoke = await tenant.form('/oauth/revoke', { client_id: app.client_id, token: tokens.tablet });
    expect(revoke.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [topic, ...scratchTopics]);
    const admin = testKafka().admin();
    await admin.connect();
    await admin.deleteGroups(groups).catch(() => undefined); // best effort, like deleteTopics
    await admin.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('puts exactly the two revoked credentials on its deny-list, with reason and actor', async () => {
    const { consumer, logged } = await start();
    await consumer.caughtUp;
    await eventually(() => consumer.denyList.size === 2);

    expect(consumer.denyList.get(ids.phone)).toMatchObject({
      credential_id: ids.phone,
      user_id: user.user_id,
      client_id: app.client_id,
      device_name: 'phone',
      reason: 'management_api',
      actor: `${MANAGEMENT.clientId}@clients`,
      revoked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(consumer.denyList.get(ids.tablet)).toMatchObject({
      device_name: 'tablet',
      reason: 'oauth_revoke',
      actor: app.client_id,
    });
    expect(consumer.denyList.isRevoked(ids.laptop)).toBe(false);

    const revoked = logged('credential revoked');
    expect(revoked.map((l) => l.credential_id).sort()).toEqual([ids.phone, ids.tablet].sort());
    for (const line of revoked) {
      expect(Object.keys(line).sort()).toEqual(
        [
          'level',
          'msg',
          'credential_id',
          'user_id',
          'client_id',
          'device_name',
          'reason',
          'actor',
          'revoked_at',
          'partition',
          'offset',
          'event_id',
        ].sort(),
      );
      expect(line).toMatchObject({ partition: expect.any(Number), offset: expect.stringMatching(/^\d+$/) });
    }
    await consumer.stop();
  }, 60_000);

  it('recognises a redelivered TokenRevoked by its event_id and changes nothing', async () => {
    const { consumer, logged } = await start();
    await eventually(() => consumer.denyList.size === 2);
    const original = await revocationOf('phone');

    await produce(topic, [original]);
    const eventId = consumer.denyList.get(ids.phone)!.event_id;
    await eventually(() => logged('duplicate event skipped').some((l) => l.event_id === eventId));

    expect(consumer.denyList.size).toBe(2);
    expect(consumer.denyList.get(ids.phone)!.event_id).toBe(eventId);
    expect(logged('credential revoked')).toHaveLength(2);
    await consumer.stop();
  }, 60_000);

  it('skips malformed messages and keeps consuming the partition', async () => {
    const { consumer, logged } = await start();
    await eventually(() => consumer.denyList.size === 2);

    // Keyed like the laptop's events, so they sit on its partition, before its revocation.
    await produce(topic, [
      { key: ids.laptop, value: 'not json {' },
      { key: ids.laptop, value: JSON.stringify({ hello: 'world' }) },
      {
        key: ids.laptop,
        value: JSON.stringify({
          event_id: randomUUID(),
          type: 'TokenRevoked',
          schema_version: 1,
          stream_id: ids.laptop,
          stream_version: 9,
          data: { credential_id: ids.laptop },
        }),
        headers: { event_type: 'TokenRevoked' },
      },
    ]);
    await eventually(() => logged('malformed message skipped').length === 3);
    expect(logged('malformed message skipped').map((l) => l.reason)).toEqual([
      'value is not JSON',
      'value is not an event envelope',
      'TokenRevoked without user_id, client_id, device_name, reason, actor, revoked_at',
    ]);
    expect(consumer.denyList.isRevoked(ids.laptop)).toBe(false);

    expect((await tenant.management('DELETE', `/device-credentials/${ids.laptop}`)).status).toBe(204);
    await eventually(() => consumer.denyList.isRevoked(ids.laptop));
    expect(consumer.denyList.get(ids.laptop)).toMatchObject({
      reason: 'management_api',
      device_name: 'laptop',
    });
    expect(consumer.denyList.size).toBe(3);
    await consumer.stop();
  }, 60_000);

  it('resumes from its deny-list file where it stopped', async () => {
    const file = join(dir, 'resume.json');
    const groupId = group('revocation-consumer-file');
    const first = await start({ groupId, denyListFile: file });
    await first.consumer.caughtUp;
    await eventually(() => first.consumer.denyList.size === 3);
    await first.consumer.stop();
    const saved = await loadState(file);
    expect(saved!.revoked.map((r) => r.credential_id).sort()).toEqual(Object.values(ids).sort());
    expect(Object.keys(saved!.positions[topic]).length).toBeGreaterThan(0);

    const second = await start({ groupId, denyListFile: file });
    expect(second.consumer.denyList.size).toBe(3); // before reading anything
    await second.consumer.caughtUp;
    expect(second.logged('credential revoked')).toEqual([]);
    expect(second.logged('duplicate event skipped')).toEqual([]);
    await second.consumer.stop();
  }, 60_000);

  it('rebuilds an in-memory deny-list from the beginning, whatever offsets its group committed', async () => {
    const groupId = group('revocation-consumer-memory');
    const first = await start({ groupId });
    await eventually(() => first.consumer.denyList.size === 3);
    await first.consumer.stop();
    const admin = testKafka().admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(committed.partitions.some((p) => Number(p.offset) > 0)).toBe(true);

    const second = await start({ groupId });
    await second.consumer.caughtUp;
    expect(second.consumer.denyList.size).toBe(3);
    expect(second.logged('credential revoked')).toHaveLength(3);
    await second.consumer.stop();
  }, 60_000);

  it('stops at a TokenRevoked of an unknown schema version instead of skipping it, every time', async () => {
    const scratch = uniqueName('revocation-consumer-scratch');
    scratchTopics.push(scratch);
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: scratch, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    // A copy of the phone's real revocation, then the same event as a future version 2 for the tablet.
    const phone = await revocationOf('phone');
    const tablet = await revocationOf('tablet');
    const v2 = { ...JSON.parse(String(tablet.value)), schema_version: 2, event_id: randomUUID() };
    await produce(scratch, [
      phone,
      {
        key: ids.tablet,
        value: JSON.stringify(v2),
        headers: { event_type: 'TokenRevoked', schema_version: '2' },
      },
    ]);

    const file = join(dir, 'unsupported.json');
    for (let run = 0; run < 2; run++) {
      const { consumer, logged } = await start({ topic: scratch, denyListFile: file });
      await expect(consumer.stopped).rejects.toBeInstanceOf(UnsupportedEventError);
      await expect(consumer.stopped).rejects.toMatchObject({ schemaVersion: 2, partition: 0, offset: '1' });
      expect(consumer.denyList.isRevoked(ids.phone)).toBe(true);
      expect(consumer.denyList.isRevoked(ids.tablet)).toBe(false);
      expect(logged('unsupported event, stopping')).toHaveLength(1);
      expect((await loadState(file))!.positions[scratch]).toEqual({ '0': '1' });
    }
  }, 60_000);

  it('runs as a program: JSON lines on stdout, exit code 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'examples/revocation-consumer/main.ts',
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          KAFKA_BROKERS: testBrokers().join(','),
          KAFKA_TOPIC_PREFIX: system.topicPrefix,
          KAFKA_GROUP_ID: group('revocation-consumer-program'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const lines = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogLine);
    try {
      await eventually(() => lines().some((l) => l.msg === 'caught up'), 30_000);
      await eventually(() => lines().filter((l) => l.msg === 'credential revoked').length === 3);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(lines().at(-1)).toMatchObject({ level: 'info', msg: 'stopped', revoked: 3 });
    expect(
      lines()
        .filter((l) => l.msg === 'credential revoked')
        .map((l) => l.credential_id)
        .sort(),
    ).toEqual(Object.values(ids).sort());
  }, 60_000);
});

/** The first `TokenRevoked` of each credential, exactly as the broker holds it (key, value, headers). */
async function rawRevocations(
  topic: string,
  groupId: string,
  credentialIds: string[],
): Promise<Map<string, Message>> {
  const consumer = testKafka().consumer({ groupId });
  const found = new Map<string, Message>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = String(message.key);
      const type = message.headers?.event_type?.toString();
      if (type === 'TokenRevoked' && credentialIds.includes(key) && !found.has(key)) {
        found.set(key, { key: message.key, value: message.value, headers: message.headers as IHeaders });
      }
    },
  });
  try {
    await eventually(() => found.size === credentialIds.length, 30_000);
    return found;
  } finally {
    await consumer.disconnect();
  }
}
