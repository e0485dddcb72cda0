import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '@libs/database';

/** The server tests create their databases on: `TEST_DATABASE_URL` (any database on it), else the local one. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
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
  if (options.migrate ?? true) await migrate(url.toString());

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
