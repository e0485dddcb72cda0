import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@libs/database';
import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { hashSecret, SecretKeys } from '@libs/security';
import { createTestDatabase, type TestDatabase } from '@libs/testing';
import { newClientId, type NewClient } from './clients/client';
import { ClientSecrets } from './clients/client-secrets';
import { PostgresClientRepository } from './clients/postgres-client.repository';
import { TenantError } from './errors/tenant.error';
import { PasswordHashing } from './passwords/password-hashing';
import { PostgresUserRepository } from './users/postgres-user.repository';
import { newUserId, type User } from './users/user';
import type { NewUser } from './users/user.repository';

describe('Postgres repositories (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let clients: PostgresClientRepository;
  let users: PostgresUserRepository;
  const passwords = new PasswordHashing({ concurrency: 1, queue: 16, retryAfterSeconds: 1 });
  const secrets = new ClientSecrets(new SecretKeys('a-server-secret-for-this-spec-0123456789'), passwords);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
    clients = new PostgresClientRepository(dataSource);
    users = new PostgresUserRepository(dataSource, passwords);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const newClient = (overrides: Partial<NewClient> = {}): NewClient => ({
    clientId: newClientId(),
    name: 'App',
    description: '',
    appType: 'native',
    callbacks: ['com.example.app://callback'],
    webOrigins: [],
    allowedOrigins: [],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'none',
    clientSecretHash: null,
    clientSecretCipher: null,
    idTokenLifetimeSeconds: 36000,
    idTokenAlg: 'RS256',
    managementScopes: [],
    refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY },
    ...overrides,
  });

  const newUser = (overrides: Partial<NewUser> = {}): NewUser => ({
    userId: newUserId(),
    email: `user-${Math.random().toString(36).slice(2)}@example.com`,
    password: 'correct horse battery',
    emailVerified: false,
    name: 'User',
    nickname: 'user',
    picture: null,
    blocked: false,
    ...overrides,
  });

  const expectNoHash = (user: User | null) => {
    expect(user).not.toBeNull();
    expect(Object.keys(user!)).not.toContain('passwordHash');
    expect(Object.keys(user!)).not.toContain('password_hash');
    expect(JSON.stringify(user)).not.toContain('scrypt$');
  };

  describe('PostgresClientRepository', () => {
    it('creates and finds a client with every field', async () => {
      const input = newClient({
        appType: 'non_interactive',
        callbacks: [],
        webOrigins: [],
        allowedOrigins: [],
        grantTypes: ['client_credentials'],
        tokenEndpointAuthMethod: 'client_secret_post',
        clientSecretHash: await hashSecret('the-client-secret-value'),
        clientSecretCipher: 'v1.the-sealed-form',
        idTokenAlg: 'ES256',
        idTokenLifetimeSeconds: 600,
        managementScopes: ['read:users'],
        requireProofOfPossession: true,
        allowedClients: ['caller-1', 'caller-2'],
      });
      const created = await clients.create(input);
      expect(created).toEqual({ ...input, createdAt: expect.any(Date) });
      const found = await clients.findById(input.clientId);
      expect(found).toEqual(created);
      // A secret stored before issue 19 (scrypt) still verifies, and says what to store instead.
      expect(await secrets.verify(found!, 'the-client-secret-value')).toEqual({
        verified: true,
        rehash: secrets.hash(input.clientId, 'the-client-secret-value'),
      });
      expect(await secrets.verify(found!, 'another-secret')).toEqual({ verified: false });
    });

    it('replaces a secret’s hash and sealed form together, and answers null for an unknown id', async () => {
      const input = newClient({ appType: 'regular_web', tokenEndpointAuthMethod: 'client_secret_post' });
      await clients.create({ ...input, clientSecretHash: 'old-hash', clientSecretCipher: 'v1.old' });
      const updated = await clients.updateSecret(input.clientId, 'new-hash', 'v1.new');
      expect(updated).toMatchObject({ clientSecretHash: 'new-hash', clientSecretCipher: 'v1.new' });
      await expect(clients.updateSecret('no-such-client', 'h', 'c')).resolves.toBeNull();
    });

    it('replaces a secret’s stored hash only while it is the one expected (issue 19, finding 2: the upgrade)', async () => {
      const input = newClient({ appType: 'regular_web', tokenEndpointAuthMethod: 'client_secret_post' });
      await clients.create({ ...input, clientSecretHash: 'scrypt$old', clientSecretCipher: 'v1.sealed' });
      await expect(clients.replaceSecretHash(input.clientId, 'scrypt$other', 'hmac$new')).resolves.toBe(
        false,
      );
      await expect(clients.replaceSecretHash(input.clientId, 'scrypt$old', 'hmac$new')).resolves.toBe(true);
      expect(await clients.findById(input.clientId)).toMatchObject({
        clientSecretHash: 'hmac$new',
        clientSecretCipher: 'v1.sealed',
      });
      expect(await clients.listSecrets()).toContainEqual({
        clientId: input.clientId,
        hash: 'hmac$new',
        sealed: 'v1.sealed',
      });
    });

    it('answers null for an unknown id and refuses a taken id', async () => {
      await expect(clients.findById('no-such-client')).resolves.toBeNull();
      const input = newClient();
      await clients.create(input);
      await expect(clients.create(input)).rejects.toThrow(/duplicate key/);
    });

    it('upserts: inserts once, then replaces the settings, also under concurrent callers', async () => {
      const input = newClient({ name: 'First' });
      await Promise.all([clients.upsert(input), clients.upsert(input), clients.upsert(input)]);
      const updated = await clients.upsert({ ...input, name: 'Second', managementScopes: ['read:clients'] });
      expect(updated).toMatchObject({
        clientId: input.clientId,
        name: 'Second',
        managementScopes: ['read:clients'],
      });
      const [{ count }] = await dataSource.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM clients WHERE client_id = $1`,
        [input.clientId],
      );
      expect(count).toBe(1);
    });

    it('lists clients a page at a time, filtered by type, with the total', async () => {
      await dataSource.query('DELETE FROM clients');
      for (const appType of ['native', 'spa', 'native'] as const)
        await clients.create(newClient({ appType }));
      const all = await clients.list({ page: 0, perPage: 2 });
      expect(all.items).toHaveLength(2);
      expect(all.total).toBe(3);
      const secondPage = await clients.list({ page: 1, perPage: 2 });
      expect(secondPage.items).toHaveLength(1);
      expect(secondPage.total).toBe(3);
      expect(await clients.list({ page: 5, perPage: 2 })).toEqual({ items: [], total: 3 });
      const natives = await clients.list({ page: 0, perPage: 10, appTypes: ['native'] });
      expect(natives.items.map((c) => c.appType)).toEqual(['native', 'native']);
      expect(natives.total).toBe(2);
    });
  });

  describe('PostgresUserRepository', () => {
    it('creates a user with a lowercased email and stores only a scrypt hash of the password', async () => {
      const input = newUser({ email: 'Jane.Doe@Example.COM' });
      const created = await users.create(input);
      expectNoHash(created);
      expect(created).toEqual({
        userId: input.userId,
        connection: 'Username-Password-Authentication',
        email: 'jane.doe@example.com',
        emailVerified: false,
        name: 'User',
        nickname: 'user',
        picture: null,
        blocked: false,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
        lastLogin: null,
        loginsCount: 0,
        userMetadata: {},
        appMetadata: {},
      });
      const [{ password_hash }] = await dataSource.query<{ password_hash: string }[]>(
        `SELECT password_hash FROM users WHERE user_id = $1`,
        [input.userId],
      );
      expect(password_hash).toMatch(/^scrypt\$/);
      expect(password_hash).not.toContain(input.password);
    });

    it('finds by id and by email without regard to case; null when unknown', async () => {
      const created = await users.create(newUser({ email: 'case@example.com' }));
      expectNoHash(await users.findById(created.userId));
      expect((await users.findByEmail('CASE@Example.com'))?.userId).toBe(created.userId);
      await expect(users.findById('auth0|000000000000000000000000')).resolves.toBeNull();
      await expect(users.findByEmail('nobody@example.com')).resolves.toBeNull();
    });

    it('refuses a second user with the same email in any case with user_exists', async () => {
      await users.create(newUser({ email: 'dup@example.com' }));
      const error = await users.create(newUser({ email: 'DUP@example.com' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TenantError);
      expect(error).toMatchObject({ code: 'user_exists', message: 'The user already exists.' });
    });

    it('verifies passwords: the user for the right one, null for a wrong one or an unknown email', async () => {
      const created = await users.create(
        newUser({ email: 'login@example.com', password: 'the right password' }),
      );
      const verified = await users.verifyPassword('LOGIN@example.com', 'the right password');
      expect(verified?.userId).toBe(created.userId);
      expectNoHash(verified);
      await expect(users.verifyPassword('login@example.com', 'the wrong password')).resolves.toBeNull();
      await expect(users.verifyPassword('nobody@example.com', 'the right password')).resolves.toBeNull();
    });

    it('spends the same scrypt work on an unknown email as on a known one', async () => {
      await users.create(newUser({ email: 'timing@example.com', password: 'the right password' }));
      const fastest = async (email: string) => {
        let best = Infinity;
        for (let i = 0; i < 3; i++) {
          const started = process.hrtime.bigint();
          await users.verifyPassword(email, 'a wrong password');
          best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
        }
        return best;
      };
      await fastest('warm-up@example.com');
      const known = await fastest('timing@example.com');
      const unknown = await fastest('nobody-at-all@example.com');
      // scrypt dominates (tens of ms); without the dummy verification the unknown email would take ~1 ms.
      expect(unknown).toBeGreaterThan(known * 0.5);
    });

    it('updates fields in one statement, hashing a new password; null for an unknown id', async () => {
      const created = await users.create(newUser({ email: 'update@example.com', password: 'old password!' }));
      const updated = await users.update(created.userId, {
        name: 'New Name',
        nickname: 'nn',
        emailVerified: true,
        blocked: true,
        picture: 'https://cdn.example.com/p.png',
        password: 'new password!',
      });
      expectNoHash(updated);
      expect(updated).toMatchObject({
        name: 'New Name',
        nickname: 'nn',
        emailVerified: true,
        blocked: true,
        picture: 'https://cdn.example.com/p.png',
      });
      expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      await expect(users.verifyPassword('update@example.com', 'old password!')).resolves.toBeNull();
      expect(await users.verifyPassword('update@example.com', 'new password!')).not.toBeNull();
      await expect(users.update('auth0|000000000000000000000000', { name: 'x' })).resolves.toBeNull();
    });

    it('refuses changing the email to a taken one with user_exists', async () => {
      await users.create(newUser({ email: 'taken@example.com' }));
      const other = await users.create(newUser({ email: 'other@example.com' }));
      await expect(users.update(other.userId, { email: 'Taken@example.com' })).rejects.toMatchObject({
        code: 'user_exists',
      });
      expect((await users.update(other.userId, { email: 'Fresh@example.com' }))?.email).toBe(
        'fresh@example.com',
      );
    });

    it('deletes a user once', async () => {
      const created = await users.create(newUser());
      await expect(users.delete(created.userId)).resolves.toBe(true);
      await expect(users.delete(created.userId)).resolves.toBe(false);
      await expect(users.findById(created.userId)).resolves.toBeNull();
    });

    it('records logins', async () => {
      const created = await users.create(newUser());
      await users.recordLogin(created.userId);
      await users.recordLogin(created.userId);
      const found = await users.findById(created.userId);
      expect(found).toMatchObject({ loginsCount: 2, lastLogin: expect.any(Date) });
    });

    it('lists users matching every search term, sorted and paged, with the total', async () => {
      await dataSource.query('DELETE FROM users');
      await users.create(newUser({ email: 'alice@example.com', name: 'Alice', nickname: 'ally' }));
      await users.create(
        newUser({ email: 'bob@example.com', name: 'Bob', nickname: 'bobby', blocked: true }),
      );
      await users.create(newUser({ email: 'carol@other.org', name: 'Carol', nickname: 'caz' }));

      const emails = async (query: Parameters<PostgresUserRepository['list']>[0]) =>
        (await users.list(query)).items.map((u) => u.email);

      expect(await emails({ page: 0, perPage: 10 })).toEqual([
        'alice@example.com',
        'bob@example.com',
        'carol@other.org',
      ]);
      expect(await emails({ page: 0, perPage: 10, sort: { field: 'name', descending: true } })).toEqual([
        'carol@other.org',
        'bob@example.com',
        'alice@example.com',
      ]);
      expect(
        await emails({
          page: 0,
          perPage: 10,
          search: [{ field: 'email', value: 'BOB@example.com', match: 'exact' }],
        }),
      ).toEqual(['bob@example.com']);
      expect(
        await emails({ page: 0, perPage: 10, search: [{ field: 'name', value: 'a', match: 'prefix' }] }),
      ).toEqual(['alice@example.com']);
      expect(
        await emails({
          page: 0,
          perPage: 10,
          search: [
            { field: 'any', value: 'example', match: 'contains' },
            { field: 'blocked', value: false },
          ],
        }),
      ).toEqual(['alice@example.com']);
      expect(
        await emails({ page: 0, perPage: 10, search: [{ field: 'any', value: '100%_', match: 'contains' }] }),
      ).toEqual([]);
      const page = await users.list({ page: 1, perPage: 2 });
      expect(page.items.map((u) => u.email)).toEqual(['carol@other.org']);
      expect(page.total).toBe(3);
      for (const user of page.items) expectNoHash(user);
    });
  });
});
