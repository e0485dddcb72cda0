import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@libs/testing';
import { dataSourceOptions, migrate, MIGRATIONS } from '@libs/database';

describe('migrations (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db.drop();
  });

  const tables = async () =>
    (
      await dataSource.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).map((r) => r.table_name);

  const insertEvent = (streamId: string, version: number) =>
    dataSource.query(
      `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, occurred_at,
         correlation_id, hash, data)
       VALUES ($1, $2, $3, 'TokenIssued', 1, now(), 'c', 'h', '{}')`,
      [randomUUID(), streamId, version],
    );

  it('migrates an empty database up to the current schema', async () => {
    const applied = await migrate(db.url);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
    dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
    expect(await tables()).toEqual([
      'authorization_codes',
      'clients',
      'dashboard_admins',
      'dashboard_sessions',
      'delegation_failures',
      'device_credentials',
      'events',
      'issued_id_tokens',
      'outbox',
      'projection_checkpoints',
      'projection_streams',
      'relay_checkpoint',
      'schema_migrations',
      'signing_keys',
      'users',
    ]);
  });

  it('is a no-op when run again', async () => {
    expect(await migrate(db.url)).toEqual([]);
  });

  it('refuses a second event with the same stream version (optimistic concurrency)', async () => {
    await insertEvent('dcr_1', 1);
    await expect(insertEvent('dcr_1', 1)).rejects.toThrow(/events_stream_version_unique/);
  });

  it('refuses to update or delete an event (append-only)', async () => {
    await expect(dataSource.query(`UPDATE events SET type = 'X'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM events`)).rejects.toThrow(/append-only/);
  });

  it('reverts every migration down to an empty schema', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['schema_migrations']);
  });
});
