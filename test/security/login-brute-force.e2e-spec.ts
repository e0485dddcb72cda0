import { randomUUID } from 'node:crypto';
import { startSystem, TenantClient, type RunningSystem } from '@libs/testing';
import { nativeClient, PASSWORD } from '../fixtures/oauth';

jest.setTimeout(180_000);

/** Auth0's default brute-force threshold. */
const THRESHOLD = 10;
const from = (address: string) => ({ 'x-forwarded-for': address });

/**
 * Security regression suite, issue 10 point 12: Auth0's brute-force protection on the password grant —
 * 10 consecutive failures for one user from one address block that address for that user (429
 * `too_many_attempts`, Retry-After) until the window passes or an administrator lifts the block
 * (`/api/v2/user-blocks`); unknown users cost the same; wrong client secrets are limited per client and
 * address, refused before any hashing once blocked.
 */
describe('security: brute-force protection of passwords and client secrets (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };

  beforeAll(async () => {
    system = await startSystem({ projector: false, env: { TRUST_PROXY: 'loopback' } });
    tenant = new TenantClient(system.url);
    app = await nativeClient(tenant, 'brute');
  });
  afterAll(async () => {
    await system?.stop();
  });

  const login = (username: string, password: string, address: string, extra: Record<string, string> = {}) =>
    tenant.form(
      '/oauth/token',
      { grant_type: 'password', client_id: app.client_id, username, password, scope: 'openid', ...extra },
      from(address),
    );
  const expectBlocked = (res: Awaited<ReturnType<typeof login>>) => {
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 429,
      error: 'too_many_attempts',
    });
    expect(typeof res.body.error_description).toBe('string');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  };
  const newUser = async () => {
    const email = `brute-${randomUUID().slice(0, 8)}@example.com`;
    return { email, userId: (await tenant.createUser(email, PASSWORD)).user_id };
  };
  const failTimes = async (email: string, address: string) => {
    for (let i = 0; i < THRESHOLD; i++) {
      const res = await login(email, 'wrong password', address);
      expect([i, res.status, res.body.error]).toEqual([i, 403, 'invalid_grant']);
    }
  };

  it('blocks an address for a user after 10 consecutive failures, even with the right password; other addresses still log in', async () => {
    const { email } = await newUser();
    await failTimes(email, '198.51.100.10');
    expectBlocked(await login(email, PASSWORD, '198.51.100.10'));
    expect((await login(email, PASSWORD, '198.51.100.11')).status).toBe(200);
  });

  it('counts unknown users like known ones', async () => {
    const nobody = `nobody-${randomUUID().slice(0, 8)}@example.com`;
    await failTimes(nobody, '198.51.100.20');
    expectBlocked(await login(nobody, PASSWORD, '198.51.100.20'));
  });

  it('lists and lifts a block through the Management API, by user id and by identifier', async () => {
    const { email, userId } = await newUser();
    const path = `/user-blocks/${encodeURIComponent(userId)}`;
    await failTimes(email, '198.51.100.30');
    expect((await tenant.management('GET', path)).body).toEqual({
      blocked_for: [{ identifier: email, ip: '198.51.100.30' }],
    });
    expect((await tenant.management('DELETE', path)).status).toBe(204);
    expect((await login(email, PASSWORD, '198.51.100.30')).status).toBe(200);

    await failTimes(email, '198.51.100.31');
    expectBlocked(await login(email, PASSWORD, '198.51.100.31'));
    const byIdentifier = `/user-blocks?identifier=${encodeURIComponent(email)}`;
    expect((await tenant.management('DELETE', byIdentifier)).status).toBe(204);
    expect((await tenant.management('GET', byIdentifier)).body).toEqual({ blocked_for: [] });
    expect((await login(email, PASSWORD, '198.51.100.31')).status).toBe(200);
  });

  it('limits wrong client secrets per client and address, then refuses before checking the secret', async () => {
    const web = await tenant.createClient({
      name: 'Brute secret',
      app_type: 'regular_web',
      callbacks: ['https://brute.example.com/cb'],
      grant_types: ['client_credentials', 'password'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const credentials = (secret: string, address: string) =>
      tenant.form(
        '/oauth/token',
        { grant_type: 'client_credentials', client_id: web.client_id, client_secret: secret },
        from(address),
      );
    for (let i = 0; i < THRESHOLD; i++) {
      const res = await credentials(`wrong-${i}`, '198.51.100.40');
      expect([i, res.status, res.body.error]).toEqual([i, 401, 'invalid_client']);
    }
    expectBlocked(await credentials(web.client_secret!, '198.51.100.40'));
    expect((await credentials(web.client_secret!, '198.51.100.41')).body.error).not.toBe('invalid_client');
  });
});
