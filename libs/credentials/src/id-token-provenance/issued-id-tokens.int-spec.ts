import { DataSource } from 'typeorm';
import { connectionAs, DEFAULT_APP_ROLES, dataSourceOptions } from '@libs/database';
import { createTestDatabase, type TestDatabase } from '@libs/testing';
import { IssuedIdTokens } from './issued-id-tokens';

/** The jti record of issue 19 finding 9, on real PostgreSQL, as the api's own role writes it. */
describe('IssuedIdTokens, issue 19 finding 9 (real PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: DataSource;
  let issued: IssuedIdTokens;
  const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = await new DataSource(dataSourceOptions(connectionAs(db.url, DEFAULT_APP_ROLES.api))).initialize();
    issued = new IssuedIdTokens(sql);
  });
  afterAll(async () => {
    await sql?.destroy();
    await db?.drop();
  });

  it('answers a recorded jti for its audience and user only, until it expires', async () => {
    await issued.record({ jti: 'jti-live', exp: inSeconds(600) }, 'web', 'auth0|ada');
    await issued.record({ jti: 'jti-expired', exp: inSeconds(-1) }, 'web', 'auth0|ada');
    expect(await issued.isRecorded('jti-live', 'web', 'auth0|ada')).toBe(true);
    expect(await issued.isRecorded('jti-live', 'other', 'auth0|ada')).toBe(false);
    expect(await issued.isRecorded('jti-live', 'web', 'auth0|bob')).toBe(false);
    expect(await issued.isRecorded('jti-expired', 'web', 'auth0|ada')).toBe(false);
    expect(await issued.isRecorded('forged\u0000', 'web', 'auth0|ada')).toBe(false);
  });

  it('deletes expired rows as it inserts new ones', async () => {
    for (let i = 0; i < 6; i++) {
      await issued.record({ jti: `old-${i}`, exp: inSeconds(-10 - i) }, 'web', 'auth0|ada');
    }
    await issued.record({ jti: 'new-1', exp: inSeconds(600) }, 'web', 'auth0|ada');
    await issued.record({ jti: 'new-2', exp: inSeconds(600) }, 'web', 'auth0|ada');
    const [{ expired }] = await sql.query<{ expired: number }[]>(
      `SELECT count(*)::int AS expired FROM issued_id_tokens WHERE expires_at < now()`,
    );
    expect(expired).toBe(0);
  });
});
