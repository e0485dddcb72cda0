import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { JwksController } from '@libs/authentication';
import { ConfigModule, loadConfig } from '@libs/config';
import { DatabaseModule, dataSourceOptions } from '@libs/database';
import { SecretKeys, SecurityModule } from '@libs/security';
import { createTestDatabase, eventually, type TestDatabase } from '@libs/testing';
import { JwtModule } from './jwt.module';
import { KeyStore, TokenSigner, TokenVerificationError, TokenVerifier, type SigningAlg } from './ports';
import { PostgresKeyStore } from './postgres-key-store';
import { openPrivateJwk, PrivateJwkDecryptionError } from './private-jwk-cipher';

interface Instance {
  app: INestApplication;
  signer: TokenSigner;
  verifier: TokenVerifier;
  keys: PostgresKeyStore;
}

interface KeyRow {
  kid: string;
  alg: SigningAlg;
  status: string;
  public_jwk: Record<string, unknown>;
  private_jwk_encrypted: string;
  row: string;
}

const audience = 'client-1';
const SECRETS = SecretKeys.fromConfig(loadConfig({}));

describe('PostgresKeyStore and JwtModule (real PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: DataSource;
  const running: INestApplication[] = [];

  /** One API instance: the JwtModule wired as the apps wire it (JWKS served by authentication), booted. */
  async function boot(url = db.url, env: Record<string, string> = {}): Promise<Instance> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(
          loadConfig({ DATABASE_URL: url, PUBLIC_URL: 'https://tenant.example.com', ...env }),
        ),
        DatabaseModule,
        SecurityModule,
        JwtModule,
      ],
      controllers: [JwksController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    running.push(app);
    await app.init();
    return {
      app,
      signer: app.get(TokenSigner),
      verifier: app.get(TokenVerifier),
      keys: app.get(PostgresKeyStore),
    };
  }

  async function stop(instance: Instance): Promise<void> {
    running.splice(running.indexOf(instance.app), 1);
    await instance.app.close();
  }

  const rows = () =>
    sql.query<KeyRow[]>(
      `SELECT kid, alg, status, public_jwk, private_jwk_encrypted, row_to_json(s)::text AS row
         FROM signing_keys s ORDER BY created_at`,
    );
  const currentKids = async () =>
    Object.fromEntries(
      (await rows()).filter((r) => r.status === 'current').map((r) => [r.alg, r.kid]),
    ) as Record<SigningAlg, string>;
  const sign = (instance: Instance, alg: SigningAlg = 'RS256') =>
    instance.signer.sign({ sub: 'auth0|1', aud: audience }, { alg, lifetimeSeconds: 600 });
  const jwksKids = async (instance: Instance) =>
    (
      (await request(instance.app.getHttpServer()).get('/.well-known/jwks.json')).body as {
        keys: { kid: string }[];
      }
    ).keys
      .map((k) => k.kid)
      .sort();
  const refusalCode = (verifying: Promise<unknown>) =>
    verifying.then(
      () => 'accepted',
      (e: unknown) => (e instanceof TokenVerificationError ? e.code : e),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = await new DataSource(dataSourceOptions(db.url)).initialize();
  });
  afterAll(async () => {
    await Promise.all(running.map((app) => app.close()));
    await sql?.destroy();
    await db?.drop();
  });

  let first: Instance;
  let restarted: Instance;
  let other: Instance;
  let beforeRotation: { token: string; kid?: string };

  it('creates one current key per algorithm on first boot, the private half encrypted', async () => {
    first = await boot();
    const stored = await rows();
    expect(stored.map((r) => [r.alg, r.status]).sort()).toEqual([
      ['ES256', 'current'],
      ['RS256', 'current'],
    ]);
    for (const row of stored) {
      expect(row.row).not.toContain('"d"');
      expect(row.private_jwk_encrypted).toMatch(new RegExp(`^${SECRETS.keyId}\\.v1\\.[A-Za-z0-9_-]+$`));
      expect(row.public_jwk).toMatchObject({ kid: row.kid, alg: row.alg, use: 'sig' });
      expect(row.public_jwk).not.toHaveProperty('d');
      expect(openPrivateJwk(SECRETS, row.kid, row.private_jwk_encrypted)).toHaveProperty('d');
    }
    const kids = await currentKids();
    for (const alg of ['RS256', 'ES256'] as const) {
      expect(decodeProtectedHeader((await sign(first, alg)).token).kid).toBe(kids[alg]);
    }
  });

  it('serves the public keys at /.well-known/jwks.json, cacheable', async () => {
    const response = await request(first.app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const keys = (response.body as { keys: Record<string, unknown>[] }).keys;
    expect(keys.map((k) => k.kid).sort()).toEqual(Object.values(await currentKids()).sort());
    for (const key of keys) {
      expect(key).toMatchObject({ use: 'sig', alg: expect.stringMatching(/^(RS256|ES256)$/) });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('keeps its keys across a restart', async () => {
    const kids = await currentKids();
    const token = (await sign(first, 'ES256')).token;
    await stop(first);

    restarted = await boot();
    expect(await rows()).toHaveLength(2);
    for (const alg of ['RS256', 'ES256'] as const) {
      expect((await sign(restarted, alg)).kid).toBe(kids[alg]);
    }
    await expect(restarted.verifier.verify(token, { audience })).resolves.toMatchObject({ sub: 'auth0|1' });
  });

  it('rotates: the previous key stays published and verifies for the longest id_token lifetime', async () => {
    await sql.query(
      `INSERT INTO clients (client_id, name, app_type, token_endpoint_auth_method, id_token_lifetime_seconds)
       VALUES ('short', 'Short', 'spa', 'none', 600), ('long', 'Long', 'native', 'none', 172800)`,
    );
    other = await boot();
    beforeRotation = await sign(restarted);

    const { kid, previousKid } = await restarted.app.get(KeyStore).rotate('RS256');
    expect(previousKid).toBe(beforeRotation.kid);
    expect(kid).not.toBe(beforeRotation.kid);

    const [previous] = await sql.query<{ status: string; lifetime: number }[]>(
      `SELECT status, extract(epoch FROM retire_after - rotated_at)::int AS lifetime
         FROM signing_keys WHERE kid = $1`,
      [previousKid],
    );
    expect(previous).toEqual({ status: 'previous', lifetime: 172800 + 60 });
    expect((await currentKids()).RS256).toBe(kid);

    // Published at once, by every instance.
    expect(await jwksKids(other)).toEqual([kid, previousKid, (await currentKids()).ES256].sort());

    const afterRotation = await sign(restarted);
    expect(afterRotation.kid).toBe(kid);
    await expect(restarted.verifier.verify(beforeRotation.token, { audience })).resolves.toBeDefined();
    await expect(other.verifier.verify(beforeRotation.token, { audience })).resolves.toBeDefined();
    // The other instance has not reloaded yet: the unknown kid makes it do so.
    await expect(other.verifier.verify(afterRotation.token, { audience })).resolves.toBeDefined();
    expect((await sign(other)).kid).toBe(kid);
  });

  it('picks up another instance’s rotation on its periodic reload', async () => {
    const watcher = new PostgresKeyStore(sql, SECRETS, 100);
    await watcher.onModuleInit();
    try {
      const { kid } = await restarted.keys.rotate('ES256');
      expect(watcher.signingKey('ES256').kid).not.toBe(kid);
      await eventually(() => watcher.signingKey('ES256').kid === kid, 5_000, 50);
    } finally {
      await watcher.onModuleDestroy();
    }
  });

  it('retires a previous key after its retire_after: out of the JWKS, its tokens refused', async () => {
    await sql.query(`UPDATE signing_keys SET retire_after = now() - interval '1 second' WHERE kid = $1`, [
      beforeRotation.kid,
    ]);
    expect(await jwksKids(restarted)).not.toContain(beforeRotation.kid);
    await restarted.keys.reload();
    expect(await refusalCode(restarted.verifier.verify(beforeRotation.token, { audience }))).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    );

    // The next rotation of that algorithm records the retirement.
    await restarted.keys.rotate('RS256');
    const [{ status }] = await sql.query<{ status: string }[]>(
      `SELECT status FROM signing_keys WHERE kid = $1`,
      [beforeRotation.kid],
    );
    expect(status).toBe('retired');
  });

  it('refuses to boot when SERVER_SECRET no longer opens the stored keys', async () => {
    await expect(
      boot(db.url, { SERVER_SECRET: 'another-server-secret-of-at-least-32-chars' }),
    ).rejects.toThrow(PrivateJwkDecryptionError);
  });

  it('boots after SERVER_SECRET rotated, given the old one as previous: same keys, sealed anew under the new', async () => {
    const next = 'the-next-server-secret-of-at-least-32-characters';
    const kids = await currentKids();
    const before = await sign(restarted, 'ES256');
    const rotated = await boot(db.url, {
      SERVER_SECRET: next,
      SERVER_SECRETS_PREVIOUS: loadConfig({}).serverSecret,
    });
    for (const alg of ['RS256', 'ES256'] as const) expect((await sign(rotated, alg)).kid).toBe(kids[alg]);
    await expect(rotated.verifier.verify(before.token, { audience })).resolves.toMatchObject({
      sub: 'auth0|1',
    });

    const nextOnly = new SecretKeys(next);
    for (const row of (await rows()).filter((r) => r.status === 'current')) {
      expect(row.private_jwk_encrypted.startsWith(`${nextOnly.keyId}.v1.`)).toBe(true);
      expect(openPrivateJwk(nextOnly, row.kid, row.private_jwk_encrypted)).toHaveProperty('d');
    }
    // Sealed anew, the keys no longer need the old secret.
    const withoutPrevious = await boot(db.url, { SERVER_SECRET: next });
    expect((await sign(withoutPrevious)).kid).toBe(kids.RS256);
    await Promise.all([stop(rotated), stop(withoutPrevious)]);
  });

  describe('instances booting at the same time on an empty table', () => {
    let fresh: TestDatabase;
    let freshSql: DataSource;
    beforeAll(async () => {
      fresh = await createTestDatabase();
      freshSql = await new DataSource(dataSourceOptions(fresh.url)).initialize();
    });
    afterAll(async () => {
      await freshSql?.destroy();
      await fresh?.drop();
    });
    const currentIn = (dataSource: DataSource) =>
      dataSource.query<{ alg: SigningAlg; kid: string }[]>(
        `SELECT alg, kid FROM signing_keys WHERE status = 'current' ORDER BY alg`,
      );

    it('end with exactly one current key per algorithm, shared by all (Nest apps)', async () => {
      const instances = await Promise.all(Array.from({ length: 4 }, () => boot(fresh.url)));
      try {
        const current = await currentIn(freshSql);
        expect(current.map((r) => r.alg)).toEqual(['ES256', 'RS256']);
        for (const instance of instances) {
          for (const { alg, kid } of current) expect((await sign(instance, alg)).kid).toBe(kid);
        }
      } finally {
        await Promise.all(instances.map((instance) => stop(instance)));
      }
    });

    it('end with one current key per algorithm when every instance tried to insert its own', async () => {
      await freshSql.query(`DELETE FROM signing_keys`);
      const query = jest.spyOn(freshSql, 'query');
      const stores = Array.from({ length: 3 }, () => new PostgresKeyStore(freshSql, SECRETS));
      try {
        await Promise.all(stores.map((store) => store.onModuleInit()));
        const inserts = query.mock.calls.filter(([text]) =>
          text.trimStart().startsWith('INSERT INTO signing_keys'),
        );
        expect(inserts).toHaveLength(6);
      } finally {
        query.mockRestore();
        await Promise.all(stores.map((store) => store.onModuleDestroy()));
      }
      const current = await currentIn(freshSql);
      expect(current.map((r) => r.alg)).toEqual(['ES256', 'RS256']);
      expect(await freshSql.query(`SELECT kid FROM signing_keys`)).toHaveLength(2);
      for (const store of stores) {
        for (const { alg, kid } of current) expect(store.signingKey(alg).kid).toBe(kid);
      }
    });
  });
});
