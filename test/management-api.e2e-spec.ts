import { DataSource } from 'typeorm';
import { ManagementTokenIssuer } from '@libs/authentication';
import { loadConfig, type AppConfig } from '@libs/config';
import { dataSourceOptions } from '@libs/database';
import { issuerFor, JoseTokenSigner, PostgresKeyStore } from '@libs/jwt';
import {
  ClientRepository,
  type ManagementScope,
  PostgresClientRepository,
  ClientSecrets,
  PasswordHashing,
} from '@libs/tenants';
import { SecretKeys } from '@libs/security';
import {
  createTestDatabase,
  freePort,
  spawnApp,
  testBrokers,
  waitForHealth,
  type AppProcess,
  type TestDatabase,
} from '@libs/testing';

const MANAGEMENT_CLIENT_ID = 'e2e-management-client';
const MANAGEMENT_CLIENT_SECRET = 'e2e-management-secret-0123456789';
const SERVER_SECRET = 'e2e-server-secret-0123456789-abcdefghijklmnop';

/**
 * The Management API served by the compiled api process. Until `/oauth/token` serves client_credentials,
 * the test plays the token endpoint: it signs with the tenant's keys (same database, same SERVER_SECRET).
 */
describe('Management API v2 (e2e)', () => {
  let db: TestDatabase;
  let api: AppProcess;
  let url: string;
  let sql: DataSource;
  let keys: PostgresKeyStore;
  let issuer: ManagementTokenIssuer;
  let clients: ClientRepository;
  let config: AppConfig;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testBrokers().join(','),
      PORT: String(port),
      PUBLIC_URL: url,
      SERVER_SECRET,
      MANAGEMENT_CLIENT_ID,
      MANAGEMENT_CLIENT_SECRET,
    };
    api = spawnApp('api', env);
    await waitForHealth(url, api);

    config = loadConfig(env);
    sql = await new DataSource(dataSourceOptions(db.url)).initialize();
    keys = new PostgresKeyStore(sql, SecretKeys.fromConfig(config));
    await keys.onModuleInit();
    issuer = new ManagementTokenIssuer(new JoseTokenSigner(keys, issuerFor(config)), config);
    clients = new PostgresClientRepository(sql);
  });
  afterAll(async () => {
    await keys?.onModuleDestroy();
    await sql?.destroy();
    await api?.stop();
    await db?.drop();
  });

  const bearer = async (...scopes: ManagementScope[]) => {
    const client = await clients.findById(MANAGEMENT_CLIENT_ID);
    return `Bearer ${(await issuer.issue(client!, scopes.join(' '))).access_token}`;
  };
  const call = async (method: string, path: string, auth?: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(auth ? { Authorization: auth } : {}),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  it('seeds the configured management client at boot', async () => {
    const client = await clients.findById(MANAGEMENT_CLIENT_ID);
    expect(client).toMatchObject({ appType: 'non_interactive', grantTypes: ['client_credentials'] });
    const secrets = new ClientSecrets(
      SecretKeys.fromConfig(config),
      new PasswordHashing({ concurrency: 1, queue: 0, retryAfterSeconds: 1 }),
    );
    expect(await secrets.verify(client!, MANAGEMENT_CLIENT_SECRET)).toEqual({ verified: true, rehash: null });
  });

  it('refuses a request without a token with 401 and the Management error body', async () => {
    expect(await call('GET', '/api/v2/users')).toEqual({
      status: 401,
      body: {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Missing authentication',
        errorCode: 'missing_authentication',
        error_description: 'Missing authentication',
      },
    });
  });

  it('issue 19 finding 10: allowed_clients is created, read and updated; empty unless given', async () => {
    const plain = await call('POST', '/api/v2/clients', await bearer('create:clients'), { name: 'Plain' });
    expect(plain).toMatchObject({ status: 201, body: { allowed_clients: [] } });
    const created = await call('POST', '/api/v2/clients', await bearer('create:clients'), {
      name: 'Delegation target',
      allowed_clients: ['callerA', 'callerB', 'callerA'],
    });
    expect(created).toMatchObject({ status: 201, body: { allowed_clients: ['callerA', 'callerB'] } });
    const path = `/api/v2/clients/${created.body!.client_id as string}`;
    expect((await call('GET', path, await bearer('read:clients'))).body).toMatchObject({
      allowed_clients: ['callerA', 'callerB'],
    });
    const updated = await call('PATCH', path, await bearer('update:clients'), {
      allowed_clients: ['callerC'],
    });
    expect(updated).toMatchObject({ status: 200, body: { allowed_clients: ['callerC'] } });
    const renamed = await call('PATCH', path, await bearer('update:clients'), { name: 'Renamed target' });
    expect(renamed.body).toMatchObject({ allowed_clients: ['callerC'] });
    const invalid = await call('POST', '/api/v2/clients', await bearer('create:clients'), {
      name: 'Bad',
      allowed_clients: 'callerA',
    });
    expect(invalid).toMatchObject({ status: 400, body: { errorCode: 'invalid_body' } });
  });

  it.each([
    ['https://*.co.uk', /public suffix/],
    ['https://*.github.io', /public suffix/],
    ['http://*.example.com', /must use https/],
  ])('issue 19 finding 12: refuses the wildcard origin %s with 400 invalid_body', async (origin, message) => {
    for (const field of ['web_origins', 'allowed_origins']) {
      const res = await call('POST', '/api/v2/clients', await bearer('create:clients'), {
        name: 'Wildcard',
        app_type: 'spa',
        [field]: [origin],
      });
      expect(res).toMatchObject({ status: 400, body: { statusCode: 400, errorCode: 'invalid_body' } });
      expect(res.body!.message).toMatch(message);
      expect(res.body!.message).toContain(field);
    }
    const ok = await call('POST', '/api/v2/clients', await bearer('create:clients'), {
      name: 'Wildcard ok',
      app_type: 'spa',
      web_origins: ['https://*.example.co.uk'],
    });
    expect(ok.status).toBe(201);
    const patched = await call(
      'PATCH',
      `/api/v2/clients/${ok.body!.client_id as string}`,
      await bearer('update:clients'),
      { allowed_origins: [origin] },
    );
    expect(patched.status).toBe(400);
  });

  it('creates a client and a user, blocks and deletes the user; no secret or password reaches the logs', async () => {
    const createdClient = await call('POST', '/api/v2/clients', await bearer('create:clients'), {
      name: 'E2E backend',
    });
    expect(createdClient.status).toBe(201);
    const clientSecret = createdClient.body!.client_secret as string;
    expect(clientSecret).toBeTruthy();
    const fetched = await call(
      'GET',
      `/api/v2/clients/${createdClient.body!.client_id as string}`,
      await bearer('read:clients'),
    );
    expect(fetched.status).toBe(200);
    expect(fetched.body).not.toHaveProperty('client_secret');

    const password = 'e2e password that is long enough';
    const createdUser = await call('POST', '/api/v2/users', await bearer('create:users'), {
      connection: 'Username-Password-Authentication',
      email: 'e2e@example.com',
      password,
    });
    expect(createdUser.status).toBe(201);
    const path = `/api/v2/users/${encodeURIComponent(createdUser.body!.user_id as string)}`;
    const duplicate = await call('POST', '/api/v2/users', await bearer('create:users'), {
      connection: 'Username-Password-Authentication',
      email: 'E2E@example.com',
      password,
    });
    expect(duplicate).toMatchObject({ status: 409, body: { errorCode: 'auth0_idp_error' } });

    const blocked = await call('PATCH', path, await bearer('update:users'), { blocked: true });
    expect(blocked).toMatchObject({ status: 200, body: { blocked: true } });
    expect((await call('DELETE', path, await bearer('delete:users'))).status).toBe(204);
    expect((await call('GET', path, await bearer('read:users'))).status).toBe(404);

    const logs = [...api.lines, ...api.stderr].join('\n');
    for (const secret of [clientSecret, password, MANAGEMENT_CLIENT_SECRET])
      expect(logs).not.toContain(secret);
  });
});
