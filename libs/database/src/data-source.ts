import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { grantAppRoles, type AppRole } from './app-roles';
import { MIGRATIONS } from './migrations';

/** TypeORM options shared by the apps, the migration command and the tests. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    entities: [],
    extra: { max: 20, connectionTimeoutMillis: 5_000 },
  };
}

/** Creates the database named in `url` when it does not exist yet (a fresh machine). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Creates the database if needed and applies every pending migration as the owner (`url`), then grants
 * the processes' roles (`roles`: their connection URLs, see `grantAppRoles`); returns the names applied.
 */
export async function migrate(url: string, roles: Partial<Record<AppRole, string>> = {}): Promise<string[]> {
  await ensureDatabase(url);
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await grantAppRoles(url, roles);
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
