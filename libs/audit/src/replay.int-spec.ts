import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { IssueToken } from '@libs/domain';
import { canonicalJson, eventHash, EventStoreModule, OutboxRelay, EventStore } from '@libs/event-store';
import { pgPool } from '@libs/database';
import { ensureTopics, eventTopic } from '@libs/messaging';
import { ProjectionsModule } from '@libs/projections';
import {
  credentialCommands,
  createTestStack,
  deleteTopics,
  eventually,
  runCaptured,
  testKafka,
  uniqueName,
  type TestStack,
} from '@libs/testing';
import { UsageError } from './cli/audit-command';
import { ProjectionReplay } from './replay/projection-replay';
import { ReplayCommand } from './replay/replay.command';

const credentialId = () => `dcr_${randomUUID().replace(/-/g, '').slice(0, 20)}`;

describe('audit replay (real Kafka + PostgreSQL)', () => {
  let stack: TestStack;
  let db: DataSource;
  let topic: string;
  let command: ReplayCommand;
  const extraTopics: string[] = [];
  const ids = Array.from({ length: 40 }, credentialId);

  const run = (args: string[]) => runCaptured(command, args);

  const produce = async (target: string, messages: { key: string; value: string }[]) => {
    const producer = stack.app.get(Kafka).producer();
    await producer.connect();
    await producer.send({ topic: target, messages });
    await producer.disconnect();
  };

  beforeAll(async () => {
    // The real write path: commands → event store + outbox → relay → topic → live projector.
    stack = await createTestStack([EventStoreModule.forRoot({ relay: true }), ProjectionsModule]);
    db = stack.app.get(DataSource);
    topic = eventTopic(stack.config.kafka.topicPrefix);
    command = new ReplayCommand(stack.app.get(Kafka), db, stack.config);
    const commands = credentialCommands(stack.app.get(EventStore));
    const context = { correlationId: 'it-replay' };
    for (const [i, id] of ids.entries()) {
      const issue: IssueToken = {
        type: 'IssueToken',
        credentialId: id,
        userId: `auth0|u${i % 7}`,
        clientId: `app-${i % 3}`,
        deviceName: `device-${i}`,
        scope: 'openid offline_access',
        tokenHash: `hash-${id}`,
        grant: i % 2 ? 'password' : 'authorization_code',
        now: new Date(),
      };
      await commands.execute(id, issue, context);
      for (let d = 0; d < i % 4; d++) {
        await commands.execute(
          id,
          {
            type: 'DelegateIdToken',
            presentedBy: issue.clientId,
            target: issue.clientId,
            apiType: 'app',
            idTokenJti: `j${d}`,
            expiresAt: new Date(Date.now() + 36_000_000),
            via: 'delegation',
            scope: 'openid',
            now: new Date(),
          },
          context,
        );
      }
      if (i % 5 === 0) {
        await commands.execute(
          id,
          { type: 'RevokeToken', reason: 'management_api', actor: 'm', now: new Date() },
          context,
        );
      }
    }
    await stack.app.get(OutboxRelay).drain();
    await produce(topic, [{ key: 'x', value: 'not json' }]);
    // drain() returns early while the relay's own loop holds the publishing lock: wait until every
    // event (and the malformed message) is on the topic, then until the live view has applied them.
    const [{ n: stored }] = await db.query(`SELECT count(*)::int AS n FROM events`);
    const admin = stack.app.get(Kafka).admin();
    await admin.connect();
    const onTopic = async () =>
      (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    await eventually(async () => (await onTopic()) === stored + 1, 60_000);
    await admin.disconnect();
    await eventually(async () => {
      const [{ covered }] = await db.query(
        `SELECT coalesce(sum(next_offset), 0)::int AS covered FROM projection_checkpoints`,
      );
      return covered === stored + 1;
    }, 90_000);
  }, 180_000);

  afterAll(async () => {
    await stack.close();
    await deleteTopics(testKafka(), [topic, ...extraTopics]);
  }, 30_000);

  const tableDifference = (schema: string) =>
    db.query(
      `SELECT count(*)::int AS n FROM (
         (SELECT * FROM device_credentials EXCEPT SELECT * FROM "${schema}".device_credentials)
         UNION ALL
         (SELECT * FROM "${schema}".device_credentials EXCEPT SELECT * FROM device_credentials)) d`,
    );

  it('rebuilds exactly the rows the live projector built; --compare exits 0', async () => {
    const { code, out, err } = await run(['--compare']);
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
    expect(await tableDifference('audit_replay')).toEqual([{ n: 0 }]);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM audit_replay.device_credentials`);
    expect(n).toBe(ids.length);
    expect(out).toContain(`folded     `);
    expect(out).toMatch(
      /malformed {2}1 \(skipped; the first:\)\n +partition \d offset \d+: message value is not JSON/,
    );
    expect(out).toMatch(/compare: .*\n {2}identical\n$/);
  }, 60_000);

  it('gives the same rows with tiny fetches, writes and cache (every row read back from the table)', async () => {
    const replay = new ProjectionReplay(stack.app.get(Kafka), pgPool(db));
    const summary = await replay.replay({
      topic,
      schema: 'audit_replay_small',
      maxBytesPerPartition: 1_500,
      writeEvery: 3,
      cachedRows: 2,
    });
    // Record batches come whole whatever the fetch size, so how many writes varies with how the relay published.
    expect(summary.writes.count).toBeGreaterThan(3);
    expect(summary.rowsWritten).toBeGreaterThanOrEqual(ids.length);
    expect(await tableDifference('audit_replay_small')).toEqual([{ n: 0 }]);
  }, 60_000);

  it('writes plain progress lines to stderr when it is not a terminal, the summary to stdout', async () => {
    const { err, out } = await run([]);
    const lines = err.trimEnd().split('\n');
    expect(err).not.toContain('\r');
    expect(
      lines.every((line) => /^replay: [\d,]+\/[\d,]+ events \(\d+%\), [\d,]+ events\/s, ETA /.test(line)),
    ).toBe(true);
    expect(lines.at(-1)).toMatch(/^replay: ([\d,]+)\/\1 events \(100%\)/);
    expect(out).toMatch(/^replay: .* → audit_replay\.device_credentials\n/);
  }, 60_000);

  it('exits 1 on a difference, naming the credential, the column and both values', async () => {
    await db.query(`UPDATE device_credentials SET delegation_count = delegation_count + 7 WHERE id = $1`, [
      ids[3],
    ]);
    await db.query(`DELETE FROM device_credentials WHERE id = $1`, [ids[4]]);
    try {
      const { code, out } = await run(['--compare', '--into', 'audit_replay_altered']);
      expect(code).toBe(1);
      expect(out).toContain('2 difference(s) in 2 credential(s):');
      expect(out).toMatch(new RegExp(`${ids[3]} +delegation_count +live: "10" +replayed: "3"`));
      expect(out).toMatch(new RegExp(`${ids[4]} +\\(row\\) +live: "absent" +replayed: "present"`));
    } finally {
      await db.query(`UPDATE device_credentials SET delegation_count = delegation_count - 7 WHERE id = $1`, [
        ids[3],
      ]);
    }
  }, 60_000);

  it('prints the summary as JSON with --json', async () => {
    const { code, out } = await run(['--json', '--into', 'audit_replay_json']);
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({ topic, schema: 'audit_replay_json', credentials: ids.length });
    expect(summary.malformed.count).toBe(1);
    expect(summary.messages).toBe(summary.events + 1);
  }, 60_000);

  it('replays events of an older schema version through upcast, and skips what it cannot fold', async () => {
    const other = uniqueName('it-replay-old');
    extraTopics.push(other);
    await ensureTopics(stack.app.get(Kafka), [{ name: other, partitions: 2 }]);
    const id = credentialId();
    const at = '2026-01-01T00:00:00.000Z';
    const chain = [
      {
        type: 'TokenIssued',
        schema_version: 1,
        data: {
          credential_id: id,
          user_id: 'auth0|old',
          client_id: 'app',
          device_name: 'old phone',
          scope: 'openid offline_access',
          token_hash: `hash-${id}`,
          issued_at: at,
          grant: 'password',
        },
      },
      {
        type: 'IdTokenDelegated',
        schema_version: 1,
        data: {
          credential_id: id,
          user_id: 'auth0|old',
          client_id: 'app',
          target: 'app',
          api_type: 'app',
          id_token_jti: 'j1',
          expires_at: at,
          delegated_at: '2026-01-02T00:00:00.000Z',
          via: 'delegation',
        },
      },
    ];
    let previous: string | null = null;
    const envelopes = chain.map((e, i) => {
      const unsigned = {
        event_id: randomUUID(),
        ...e,
        stream_id: id,
        stream_version: i + 1,
        occurred_at: at,
        correlation_id: 'old',
        causation_id: null,
        previous_hash: previous,
      };
      const hash = eventHash(unsigned as never);
      previous = hash;
      return { ...unsigned, hash };
    });
    await produce(other, [
      ...envelopes.map((e) => ({ key: id, value: canonicalJson(e) })),
      { key: id, value: JSON.stringify({ ...envelopes[1], type: 'TokenRenamed', stream_version: 3 }) },
    ]);
    const { code, out } = await run(['--topic', other, '--into', 'audit_replay_old', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      messages: 3,
      events: 2,
      malformed: { count: 1 },
      credentials: 1,
    });
    const [row] = await db.query(`SELECT * FROM audit_replay_old.device_credentials`);
    expect(row).toMatchObject({ id, delegation_count: 1, version: 2, status: 'active' });
    expect(new Date(row.last_used_at).toISOString()).toBe('2026-01-02T00:00:00.000Z');
  }, 60_000);

  it('refuses a schema it did not create, a reserved one, and unknown options', async () => {
    await db.query(`CREATE SCHEMA someone_elses`);
    await db.query(`CREATE TABLE someone_elses.precious (id int)`);
    await expect(run(['--into', 'someone_elses'])).rejects.toThrow(/not created by audit replay/);
    await expect(run(['--into', 'public'])).rejects.toThrow(UsageError);
    await expect(run(['--into', 'Robert"; DROP'])).rejects.toThrow(UsageError);
    await expect(run(['--bogus'])).rejects.toThrow(UsageError);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM someone_elses.precious`);
    expect(n).toBe(0);
  });

  it('answers 69 when the topic does not exist', async () => {
    const { code, err } = await run(['--topic', uniqueName('it-missing')]);
    expect(code).toBe(69);
    expect(err).toMatch(/does not exist/);
  }, 60_000);
});
