import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { Kafka, type Message } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '@libs/config';
import { credentialId, type CredentialCommand, type EventEnvelope } from '@libs/domain';
import {
  encodeEnvelope,
  envelopeFromRow,
  EVENT_COLUMNS,
  eventHash,
  EventHasher,
  EventStoreModule,
  OutboxRelay,
  EventStore,
} from '@libs/event-store';
import { ensureTopics, eventTopic, KafkaProducer } from '@libs/messaging';
import {
  credentialCommands,
  createTestDatabase,
  createTestStack,
  deleteTopics,
  eventually,
  insertStoredEvents,
  markRelayed,
  runCaptured,
  testBrokers,
  testKafka,
  uniqueName,
  type TestDatabase,
  type TestStack,
} from '@libs/testing';
import { AuditModule } from './audit.module';
import { UsageError } from './cli/audit-command';
import type { Finding } from './verify/finding';
import { VerifyCommand } from './verify/verify.command';
import type { VerifyReport } from './verify/verify-report';

type Row = Parameters<typeof envelopeFromRow>[0] & { global_position: string };

/**
 * A forged envelope: what someone who knows the format, but holds no key, can write — the unkeyed
 * SHA-256 form, or the keyed form under a key of their own (`hasher`), or, to stand for a genuine write,
 * under the real audit key.
 */
function forge(base: EventEnvelope, changes: Partial<EventEnvelope>, hasher?: EventHasher): EventEnvelope {
  const { hash: _hash, ...rest } = base;
  const unsigned = { ...rest, event_id: randomUUID(), ...changes } as Omit<EventEnvelope, 'hash'>;
  return { ...unsigned, hash: hasher ? hasher.hash(unsigned) : eventHash(unsigned) } as EventEnvelope;
}
const attackerKey = new EventHasher(randomBytes(32));

/**
 * `npm run audit -- verify` on a log built through the real write path (store, outbox, relay, topic):
 * passes the untouched log, and catches each of the four tamperings — ALTERED, REMOVED, REORDERED,
 * INJECTED — naming the right event, in a copy of the store (the chain, and the store against the
 * topic) and in copies of the topic.
 */
describe('audit verify (real PostgreSQL + Kafka)', () => {
  let stack: TestStack;
  let copy: TestDatabase;
  let copySql: Client;
  let kafka: Kafka;
  let producer: KafkaProducer;
  let rows: Row[];
  /** The victim stream: issued, delegated twice, revoked (versions 1–4). */
  let S: EventEnvelope[];
  /** An active stream: issued, delegated. */
  let T: EventEnvelope[];
  const copyTopics: string[] = [];

  beforeAll(async () => {
    stack = await createTestStack([EventStoreModule.forRoot({ relay: true })]);
    const commands = credentialCommands(stack.app.get(EventStore));
    const ids = Array.from({ length: 5 }, () => credentialId(randomBytes(16)));
    const now = () => new Date();
    const issue = (id: string): CredentialCommand => ({
      type: 'IssueToken',
      credentialId: id,
      userId: `auth0|user-${id.slice(-4)}`,
      clientId: 'app-1',
      deviceName: 'Pixel 9',
      scope: 'openid offline_access',
      tokenHash: `hash-${id}`,
      grant: 'password',
      now: now(),
    });
    const delegate = (): CredentialCommand => ({
      type: 'DelegateIdToken',
      presentedBy: 'app-1',
      target: 'app-1',
      apiType: 'app',
      idTokenJti: randomUUID(),
      expiresAt: new Date(Date.now() + 36_000_000),
      via: 'delegation',
      scope: 'openid',
      now: now(),
    });
    const revoke = (): CredentialCommand => ({
      type: 'RevokeToken',
      reason: 'management_api',
      actor: 'm@clients',
      now: now(),
    });
    // Round-robin, so the streams interleave in the store and on the topic.
    const plan: CredentialCommand[][] = ids.map((id, i) =>
      i === 0
        ? [issue(id), delegate(), delegate(), revoke()]
        : [issue(id), delegate(), ...(i % 2 ? [revoke()] : [])],
    );
    for (let step = 0; step < 4; step++) {
      for (const [i, id] of ids.entries()) {
        const command = plan[i][step];
        if (command) await commands.execute(id, command, { correlationId: randomUUID() });
      }
    }
    const sql = stack.app.get(DataSource);
    await stack.app.get(OutboxRelay).drain();
    await eventually(async () => Number((await sql.query('SELECT count(*) AS n FROM outbox'))[0].n) === 0);
    rows = await sql.query(`SELECT global_position, ${EVENT_COLUMNS} FROM events ORDER BY global_position`);
    const streamOf = (id: string) => rows.filter((r) => r.stream_id === id).map(envelopeFromRow);
    S = streamOf(ids[0]);
    T = streamOf(ids[2]);
    expect(S.map((e) => e.type)).toEqual([
      'TokenIssued',
      'IdTokenDelegated',
      'IdTokenDelegated',
      'TokenRevoked',
    ]);
    expect(T.map((e) => e.type)).toEqual(['TokenIssued', 'IdTokenDelegated']);

    copy = await createTestDatabase();
    copySql = new Client({ connectionString: copy.url });
    await copySql.connect();
    kafka = stack.app.get(Kafka);
    producer = new KafkaProducer(kafka);
  }, 120_000);

  afterAll(async () => {
    await copySql?.end();
    await copy?.drop();
    await producer?.disconnect();
    await deleteTopics(testKafka(), [eventTopic(stack.config.kafka.topicPrefix), ...copyTopics]);
    await stack?.close();
  }, 60_000);

  /** The copy of the store, reset to the original; its append-only trigger stays off (it is a copy). */
  async function resetCopy(): Promise<void> {
    await copySql.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await copySql.query('ALTER TABLE events DROP CONSTRAINT IF EXISTS events_stream_version_unique');
    await copySql.query('TRUNCATE events');
    for (const row of rows) {
      await copySql.query(
        `INSERT INTO events (global_position, ${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          row.global_position,
          row.event_id,
          row.type,
          row.schema_version,
          row.stream_id,
          row.stream_version,
          row.occurred_at,
          row.correlation_id,
          row.causation_id,
          row.previous_hash,
          row.hash,
          JSON.stringify(row.data),
        ],
      );
    }
    await copySql.query(
      `SELECT setval('events_global_position_seq', (SELECT max(global_position) FROM events))`,
    );
    await markRelayed(copySql);
    await copySql.query(
      'ALTER TABLE events ADD CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)',
    );
  }

  /** Appends an envelope at the end of the copy, as an INSERT would (the next global position). */
  const insertIntoCopy = (e: EventEnvelope) => insertStoredEvents(copySql, [e]);

  /** Runs `verify` as the CLI wires it, against `databaseUrl`. */
  async function verify(databaseUrl: string, args: string[]) {
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: stack.config.kafka.topicPrefix,
    });
    const app = await NestFactory.createApplicationContext(AuditModule.register(config), { logger: false });
    try {
      const { code, out: text, err } = await runCaptured(app.get(VerifyCommand), args);
      const report = args.includes('json') ? (JSON.parse(text) as VerifyReport) : undefined;
      return { code, text, err, report: report! };
    } finally {
      await app.close();
    }
  }
  const storeOnly = () => verify(copy.url, ['--store-only', '--format', 'json']);
  const againstTopic = () => verify(copy.url, ['--format', 'json']);
  const expectOnly = (report: VerifyReport, finding: Partial<Record<keyof Finding, unknown>>) => {
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining(finding)]);
    expect(report.findings_total).toBe(1);
  };

  /** A copy of the topic with these messages, produced in this order (key = stream, as the relay does). */
  async function topicWith(messages: Message[]): Promise<string> {
    const name = uniqueName(`${stack.config.kafka.topicPrefix}copy`);
    copyTopics.push(name);
    await ensureTopics(kafka, [{ name, partitions: 3 }]);
    await producer.send(name, messages);
    return name;
  }
  const messages = () => rows.map((row) => encodeEnvelope(envelopeFromRow(row)));
  const againstCopyTopic = (topic: string) => verify(stack.db.url, ['--topic', topic, '--format', 'json']);

  describe('the untouched log', () => {
    it('passes: the store chain, and the store against the live topic', async () => {
      const { code, report } = await verify(stack.db.url, ['--format', 'json']);
      expect(code).toBe(0);
      expect(report).toMatchObject({
        ok: true,
        store: { events: rows.length, streams: 5 },
        topic: {
          name: eventTopic(stack.config.kafka.topicPrefix),
          partitions: 3,
          messages: rows.length,
          duplicates: 0,
          pending: 0,
        },
        findings: [],
      });
    }, 60_000);

    it('passes in a copy of the store, and says so in text', async () => {
      await resetCopy();
      expect((await storeOnly()).code).toBe(0);
      const { code, text } = await verify(copy.url, []);
      expect(code).toBe(0);
      expect(text).toContain(`store: ${rows.length} events in 5 streams, hash chains checked`);
      expect(text).toContain('verify: the log is whole');
    }, 60_000);
  });

  describe('tampering with the store (a copy, trigger off)', () => {
    beforeEach(resetCopy);

    it('ALTERED: names the event whose data changed', async () => {
      await copySql.query(
        `UPDATE events SET data = jsonb_set(data, '{api_type}', '"auth0"') WHERE event_id = $1`,
        [S[1].event_id],
      );
      const expected = {
        kind: 'altered',
        where: 'store',
        event_id: S[1].event_id,
        stream_id: S[1].stream_id,
        stream_version: 2,
      };
      const { code, report } = await storeOnly();
      expect(code).toBe(1);
      expectOnly(report, { ...expected, detail: 'its hash does not match its content' });
      expectOnly((await againstTopic()).report, expected);

      const { text } = await verify(copy.url, ['--store-only']);
      expect(text).toContain(
        `1. ALTERED in the store: event ${S[1].event_id} — stream ${S[1].stream_id}, version 2`,
      );
    }, 60_000);

    it('ALTERED and re-hashed (without the key): names the original, and so does the next version', async () => {
      for (const hasher of [attackerKey, undefined]) {
        await resetCopy();
        const rehashed = forge(
          S[1],
          { event_id: S[1].event_id, data: { ...S[1].data, target: 'elsewhere' } as never },
          hasher,
        );
        await copySql.query(`UPDATE events SET data = $2, hash = $3 WHERE event_id = $1`, [
          S[1].event_id,
          JSON.stringify(rehashed.data),
          rehashed.hash,
        ]);
        const { report } = await storeOnly();
        expect(report.ok).toBe(false);
        expect(report.findings.length).toBeGreaterThan(0);
        for (const finding of report.findings) {
          expect(finding).toMatchObject({ where: 'store', event_id: S[1].event_id, stream_version: 2 });
        }
      }
    }, 60_000);

    it('REMOVED: names the missing version; the topic still has the event and names it', async () => {
      await copySql.query('DELETE FROM events WHERE event_id = $1', [S[1].event_id]);
      const expected = { kind: 'removed', where: 'store', stream_id: S[1].stream_id, stream_version: 2 };
      expectOnly((await storeOnly()).report, { ...expected, event_id: null });
      const { code, report } = await againstTopic();
      expect(code).toBe(1);
      expectOnly(report, { ...expected, event_id: S[1].event_id });
    }, 60_000);

    it('REORDERED: names the event stored after a later one of its stream', async () => {
      const [p2, p3] = [S[1], S[2]].map((e) => rows.find((r) => r.event_id === e.event_id)!.global_position);
      await copySql.query('UPDATE events SET global_position = -global_position WHERE event_id IN ($1, $2)', [
        S[1].event_id,
        S[2].event_id,
      ]);
      await copySql.query('UPDATE events SET global_position = $2 WHERE event_id = $1', [S[1].event_id, p3]);
      await copySql.query('UPDATE events SET global_position = $2 WHERE event_id = $1', [S[2].event_id, p2]);
      const expected = { kind: 'reordered', where: 'store', event_id: S[1].event_id, stream_version: 2 };
      expectOnly((await storeOnly()).report, expected);
      expectOnly((await againstTopic()).report, expected);
    }, 60_000);

    it('INJECTED: names a forged event for a version its stream already has', async () => {
      await copySql.query('ALTER TABLE events DROP CONSTRAINT events_stream_version_unique');
      const forged = forge(S[1], { data: { ...S[1].data, target: 'attacker-app' } as never });
      await insertIntoCopy(forged);
      const expected = { kind: 'injected', where: 'store', event_id: forged.event_id, stream_version: 2 };
      expectOnly((await storeOnly()).report, expected);
      expectOnly((await againstTopic()).report, expected);
    }, 60_000);

    it('INJECTED and re-chained at the end of a stream, unkeyed: a keyed stream never goes back', async () => {
      const last = T[T.length - 1];
      const forged = forge(last, { stream_version: last.stream_version + 1, previous_hash: last.hash });
      await insertIntoCopy(forged);
      const expected = { kind: 'injected', where: 'store', event_id: forged.event_id, stream_version: 3 };
      expectOnly((await storeOnly()).report, {
        ...expected,
        detail: 'an unkeyed hash after a keyed one: no writer of the keyed chain makes one',
      });
      const { code, report } = await againstTopic();
      expect(code).toBe(1);
      expectOnly(report, expected);
    }, 60_000);

    it('INJECTED and re-chained at the end of a stream under another key: its hash does not recompute', async () => {
      const last = T[T.length - 1];
      const forged = forge(
        last,
        { stream_version: last.stream_version + 1, previous_hash: last.hash },
        attackerKey,
      );
      await insertIntoCopy(forged);
      expectOnly((await storeOnly()).report, {
        kind: 'altered',
        where: 'store',
        event_id: forged.event_id,
        stream_version: 3,
        detail: 'its hash does not match its content',
      });
    }, 60_000);

    it('reports an event still queued in the outbox as pending, not as a finding', async () => {
      const last = T[T.length - 1];
      const queued = forge(
        last,
        { stream_version: last.stream_version + 1, previous_hash: last.hash },
        EventHasher.fromConfig(stack.config),
      );
      await insertStoredEvents(copySql, [queued], { queued: true });
      const { code, report } = await againstTopic();
      expect(code).toBe(0);
      expect(report.topic).toMatchObject({ pending: 1, pending_events: [queued.event_id] });
    }, 60_000);

    it('exits 1 through the CLI, naming the event', async () => {
      await copySql.query(
        `UPDATE events SET data = jsonb_set(data, '{scope}', '"openid email"') WHERE event_id = $1`,
        [S[0].event_id],
      );
      const cli = [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/audit/src/main.ts',
      ];
      const env = {
        ...process.env,
        DATABASE_URL: copy.url,
        KAFKA_BROKERS: testBrokers().join(','),
        KAFKA_TOPIC_PREFIX: stack.config.kafka.topicPrefix,
      };
      const failed = await promisify(execFile)('node', [...cli, 'verify', '--store-only'], { env }).then(
        () => null,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout).toContain(`ALTERED in the store: event ${S[0].event_id}`);
    }, 120_000);
  });

  describe('tampering with the topic (copies of it, the store untouched)', () => {
    const indexOf = (e: EventEnvelope) => rows.findIndex((r) => r.event_id === e.event_id);

    it('passes a copy with a republished batch: duplicates are at-least-once delivery', async () => {
      const all = messages();
      const { code, report } = await againstCopyTopic(await topicWith([...all, ...all.slice(-5)]));
      expect(code).toBe(0);
      expect(report.topic).toMatchObject({ messages: rows.length + 5, duplicates: 5, pending: 0 });
    }, 60_000);

    it('ALTERED: names the message whose data changed', async () => {
      const all = messages();
      const altered = { ...S[1], data: { ...S[1].data, api_type: 'auth0' } } as EventEnvelope;
      all[indexOf(S[1])] = encodeEnvelope(altered);
      const { code, report } = await againstCopyTopic(await topicWith(all));
      expect(code).toBe(1);
      expectOnly(report, {
        kind: 'altered',
        where: 'topic',
        event_id: S[1].event_id,
        detail: 'its hash does not match its content',
      });
    }, 60_000);

    it('REMOVED: names the event missing from the topic', async () => {
      const all = messages().filter((_, i) => i !== indexOf(S[1]));
      expectOnly((await againstCopyTopic(await topicWith(all))).report, {
        kind: 'removed',
        where: 'topic',
        event_id: S[1].event_id,
        stream_version: 2,
      });
    }, 60_000);

    it('REORDERED: names the event that comes after a later one of its stream', async () => {
      const all = messages();
      const [i2, i3] = [indexOf(S[1]), indexOf(S[2])];
      [all[i2], all[i3]] = [all[i3], all[i2]];
      expectOnly((await againstCopyTopic(await topicWith(all))).report, {
        kind: 'reordered',
        where: 'topic',
        event_id: S[1].event_id,
        stream_version: 2,
      });
    }, 60_000);

    it('INJECTED: names a forged message, even one chained onto its stream', async () => {
      const last = T[T.length - 1];
      const forged = forge(last, { stream_version: last.stream_version + 1, previous_hash: last.hash });
      expectOnly((await againstCopyTopic(await topicWith([...messages(), encodeEnvelope(forged)]))).report, {
        kind: 'injected',
        where: 'topic',
        event_id: forged.event_id,
        stream_version: 3,
      });
    }, 60_000);

    it('INJECTED: names a message that is not an event at all', async () => {
      const { report } = await againstCopyTopic(
        await topicWith([...messages(), { key: T[0].stream_id, value: '{"hello":"world"}' }]),
      );
      expectOnly(report, { kind: 'injected', where: 'topic', event_id: null, stream_id: T[0].stream_id });
    }, 60_000);

    it('refuses a topic that does not exist (exit 69) and contradictory options (usage)', async () => {
      const { code, err } = await verify(stack.db.url, ['--topic', uniqueName('no-such-topic')]);
      expect(code).toBe(69);
      expect(err).toContain('does not exist');
      await expect(verify(stack.db.url, ['--store-only', '--topic', 'x'])).rejects.toThrow(UsageError);
    }, 60_000);
  });
});
