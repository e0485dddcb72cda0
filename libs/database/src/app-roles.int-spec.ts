import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { connectionAs, migrate, TABLE_PRIVILEGES } from '@libs/database';
import { appRoleUrls, createTestDatabase, testServerUrl, type TestDatabase } from '@libs/testing';

const PERMISSION_DENIED = '42501';

/** Runs `sql` and returns the SQLSTATE it failed with, or 'ok'. */
async function outcome(client: Client, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await client.query(sql, params);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const EVENT = `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, occurred_at,
  correlation_id, hash, data) VALUES ($1, $2, 1, 'TokenIssued', 1, now(), 'c', 'h', '{}')`;

/**
 * Least privilege (issue 14): the api and the projector connect as roles of their own that cannot
 * rewrite history — whatever a compromised process sends, `events` stays append-only.
 */
describe('the processes’ database roles (real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: Client;
  let projector: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = new Client({ connectionString: appRoleUrls(db.url).api });
    projector = new Client({ connectionString: appRoleUrls(db.url).projector });
    await Promise.all([api.connect(), projector.connect()]);
  });
  afterAll(async () => {
    await Promise.all([api?.end(), projector?.end()]);
    await db?.drop();
  });

  it('lets the api append an event and read the store', async () => {
    expect(await outcome(api, EVENT, [randomUUID(), 'dcr_api'])).toBe('ok');
    const { rows } = await api.query(`SELECT stream_id FROM events WHERE stream_id = 'dcr_api'`);
    expect(rows).toEqual([{ stream_id: 'dcr_api' }]);
  });

  it.each([
    ['UPDATE', `UPDATE events SET type = 'TokenRevoked'`],
    ['DELETE', 'DELETE FROM events'],
    ['TRUNCATE', 'TRUNCATE events'],
    ['DISABLE TRIGGER', 'ALTER TABLE events DISABLE TRIGGER events_append_only'],
    ['DISABLE TRIGGER ALL', 'ALTER TABLE events DISABLE TRIGGER ALL'],
    ['DROP TRIGGER', 'DROP TRIGGER events_append_only ON events'],
    ['DROP', 'DROP TABLE events'],
    ['UPDATE delegation_failures', `UPDATE delegation_failures SET reason = 'x'`],
    ['DELETE delegation_failures', 'DELETE FROM delegation_failures'],
    ['TRUNCATE delegation_failures', 'TRUNCATE delegation_failures'],
    ['DELETE relay_checkpoint', 'DELETE FROM relay_checkpoint'],
    ['TRUNCATE relay_checkpoint', 'TRUNCATE relay_checkpoint'],
    ['write the view', `DELETE FROM device_credentials`],
    ['unbreak a stream', `UPDATE projection_streams SET broken_at = NULL`],
    ['CREATE TABLE', 'CREATE TABLE shadow_events (id int)'],
    ['SET ROLE to the owner', 'SET ROLE postgres'],
  ])('refuses the api: %s', async (_, sql) => {
    expect(await outcome(api, sql)).toBe(PERMISSION_DENIED);
  });

  it('lets the api relay: read what is unpublished and move its checkpoint', async () => {
    expect(await outcome(api, 'SELECT count(*) FROM outbox')).toBe('ok');
    expect(await outcome(api, 'UPDATE relay_checkpoint SET updated_at = now()')).toBe('ok');
  });

  it('lets the projector write the view, its checkpoints and stream heads, and only read the store', async () => {
    expect(
      await outcome(
        projector,
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('p', 't', 0, 1)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
      ),
    ).toBe('ok');
    expect(await outcome(projector, 'SELECT * FROM device_credentials FOR UPDATE')).toBe('ok');
    expect(await outcome(projector, 'SELECT * FROM projection_streams FOR UPDATE')).toBe('ok');
    expect(await outcome(projector, EVENT, [randomUUID(), 'dcr_projector'])).toBe(PERMISSION_DENIED);
    // Read only: to confirm that an unkeyed event from the topic is the store's.
    expect(await outcome(projector, 'SELECT event_id, hash FROM events')).toBe('ok');
    expect(await outcome(projector, 'DELETE FROM events')).toBe(PERMISSION_DENIED);
    expect(await outcome(projector, 'SELECT * FROM users')).toBe(PERMISSION_DENIED);
    expect(await outcome(projector, 'TRUNCATE device_credentials')).toBe(PERMISSION_DENIED);
  });

  it('has a grant policy for every table the migrations create', async () => {
    const owner = new Client({ connectionString: db.url });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public'
         UNION ALL SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY tablename`,
      );
      expect(rows.map((r) => r.tablename)).toEqual(Object.keys(TABLE_PRIVILEGES).sort());
    } finally {
      await owner.end();
    }
  });

  it('creates a new role once when several databases are migrated at the same time', async () => {
    const role = `rts_it_${randomBytes(4).toString('hex')}`;
    const dbs = await Promise.all([1, 2, 3, 4].map(() => createTestDatabase({ migrate: false })));
    try {
      await Promise.all(dbs.map((d) => migrate(d.url, { api: connectionAs(d.url, role) })));
      for (const d of dbs) {
        const client = new Client({ connectionString: connectionAs(d.url, role) });
        await client.connect();
        expect(await outcome(client, EVENT, [randomUUID(), 'dcr_concurrent'])).toBe('ok');
        expect(await outcome(client, 'DELETE FROM events')).toBe(PERMISSION_DENIED);
        await client.end();
      }
    } finally {
      await Promise.all(dbs.map((d) => d.drop()));
      const admin = new Client({ connectionString: testServerUrl() });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  }, 60_000);
});
