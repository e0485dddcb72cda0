import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@libs/domain';
import { envelopeFromRow, EVENT_COLUMNS } from '@libs/event-store';
import { eventTopic } from '@libs/messaging';
import { evolveDeviceCredential, type DeviceCredentialRow } from '@libs/projections';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import { JWT_BEARER } from './fixtures/oauth';

/**
 * kill -9 of the projector while events keep arriving, then a restart: the view ends identical to a
 * fold of the event store, and no event is applied twice (delegation counts equal the events).
 */
describe('projector crash and restart (e2e)', () => {
  let system: RunningSystem;
  let db: DataSource;

  beforeAll(async () => {
    system = await startSystem();
    db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  const covered = async () =>
    Number(
      (await db.query(`SELECT coalesce(sum(next_offset), 0)::int AS n FROM projection_checkpoints`))[0].n,
    );
  const eventCount = async () => Number((await db.query('SELECT count(*)::int AS n FROM events'))[0].n);

  it('rebuilds the same view after a kill -9 mid-stream, applying nothing twice', async () => {
    const tenant = new TenantClient(system.url);
    const app = await tenant.createClient({
      name: 'Crash app',
      app_type: 'native',
      callbacks: ['com.example.crash://cb'],
      grant_types: ['refresh_token', JWT_BEARER, 'password'],
    });
    const user = await tenant.createUser(
      `crash-${randomUUID().slice(0, 8)}@example.com`,
      'a long enough password',
    );
    const tokens: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await tenant.form('/oauth/token', {
        grant_type: 'password',
        client_id: app.client_id,
        username: user.email,
        password: 'a long enough password',
        scope: 'openid offline_access',
        device: `device-${i}`,
      });
      tokens.push(res.body.refresh_token);
    }
    const load = async (rounds: number) => {
      for (let r = 0; r < rounds; r++) {
        const results = await Promise.all(
          tokens.map((token) =>
            tenant.json('POST', '/delegation', {
              client_id: app.client_id,
              grant_type: JWT_BEARER,
              refresh_token: token,
            }),
          ),
        );
        expect(results.every((res) => res.status === 200)).toBe(true);
      }
    };

    await load(10);
    await eventually(async () => (await covered()) > 0, 20_000);
    const running = load(40); // events keep arriving while the projector dies
    await new Promise((r) => setTimeout(r, 300));
    expect(await system.projector!.stop('SIGKILL')).toBe('SIGKILL');
    const atKill = await covered();
    await running;
    expect(atKill).toBeLessThan(await eventCount()); // it died mid-stream

    await system.startProjector();
    const total = await eventCount();
    await eventually(async () => (await covered()) === total, 30_000);

    const rows: EventEnvelope[] = (
      await db.query(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY stream_id, stream_version`)
    ).map(envelopeFromRow);
    const expected = new Map<string, DeviceCredentialRow | null>();
    for (const e of rows)
      expected.set(e.stream_id, evolveDeviceCredential(expected.get(e.stream_id) ?? null, e));
    const view: DeviceCredentialRow[] = await db.query('SELECT * FROM device_credentials');
    expect(view).toHaveLength(expected.size);
    for (const row of view) {
      const want = expected.get(row.id)!;
      expect({
        count: Number(row.delegation_count),
        version: Number(row.version),
        status: row.status,
      }).toEqual({
        count: want.delegation_count,
        version: want.version,
        status: want.status,
      });
    }
    const delegations = rows.filter((e) => e.type === 'IdTokenDelegated').length;
    const counted = view.reduce((n, r) => n + Number(r.delegation_count), 0);
    expect(counted).toBe(delegations); // a double-applied event would inflate this
    expect(delegations).toBe(12 * 50);
  }, 120_000);
});
