import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connectionAs, DEFAULT_APP_ROLES, migrate, type AppRole } from '@libs/database';

/** The server tests create their databases on: `TEST_DATABASE_URL` (any database on it), else the local one. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The connection URLs of the api's and the projector's roles (`rts_api`, `rts_projector`) to `url`'s database. */
export function appRoleUrls(url: string): Record<AppRole, string> {
  return {
    api: connectionAs(url, DEFAULT_APP_ROLES.api),
    projector: connectionAs(url, DEFAULT_APP_ROLES.projector),
  };
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file: created, optionally migrated, dropped afterwards. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `rts_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  const server = new Client({ connectionString: testServerUrl() });
  await server.connect();
  await server.query(`CREATE DATABASE "${name}"`);
  await server.end();
  // The processes' roles are granted as `npm start` grants them, so the apps run with least privilege.
  if (options.migrate ?? true) await migrate(url.toString(), appRoleUrls(url.toString()));

  return {
    url: url.toString(),
    name,
    async drop() {
      const admin = new Client({ connectionString: testServerUrl() });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
