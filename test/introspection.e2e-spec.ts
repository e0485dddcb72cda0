import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import { deleteTopics, startSystem, TenantClient, testKafka, type RunningSystem } from '@libs/testing';
import { nativeClient, PASSWORD, passwordLogin, refreshGrant } from './fixtures/oauth';

/** A rotating, expiring policy (Auth0's `refresh_token` client object); `changes` override it. */
const rotating = (changes: Record<string, unknown> = {}) => ({
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  leeway: 0,
  token_lifetime: 86_400,
  infinite_token_lifetime: false,
  idle_token_lifetime: 3_600,
  infinite_idle_token_lifetime: false,
  ...changes,
});

interface WebApp {
  client_id: string;
  client_secret: string;
}

/**
 * RFC 7662 introspection over HTTP, against the running api and projector: confidential clients only,
 * `active` as the exchange and `/userinfo` decide it (a revocation in force as soon as it has returned),
 * another client's token never described, and no side effect — a retired rotating token is answered
 * inactive without its family being revoked.
 */
describe('POST /oauth/introspect (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let db: Client;

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    db = new Client({ connectionString: system.db.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  /** A confidential web client (client_secret_post) with the password and refresh grants. */
  async function webApp(name: string, policy?: Record<string, unknown>): Promise<WebApp> {
    const created = await tenant.createClient({
      name,
      app_type: 'regular_web',
      callbacks: ['https://web.example.com/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'password'],
      token_endpoint_auth_method: 'client_secret_post',
      ...(policy ? { refresh_token: policy } : {}),
    });
    return { client_id: created.client_id, client_secret: created.client_secret! };
  }

  /** A fresh user of `app`, logged in with the password grant: their tokens. */
  async function login(app: WebApp) {
    const user = await tenant.createUser(`introspect-${randomUUID()}@example.com`, PASSWORD);
    const tokens = await passwordLogin(tenant, app.client_id, user.email, 'Pixel 9', {
      client_secret: app.client_secret,
    });
    return { user, tokens };
  }

  const introspect = (app: WebApp, fields: Record<string, string>) =>
    tenant.form('/oauth/introspect', {
      client_id: app.client_id,
      client_secret: app.client_secret,
      ...fields,
    });

  const rotate = (app: WebApp, token: string) =>
    refreshGrant(tenant, app.client_id, token, { client_secret: app.client_secret });

  /** The event types of a credential's stream, in order. */
  async function streamTypes(credentialId: string): Promise<string[]> {
    const { rows } = await db.query<{ type: string }>(
      'SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [credentialId],
    );
    return rows.map((r) => r.type);
  }

  it('is advertised in discovery, for the secret-based client authentication methods', async () => {
    const discovery = await tenant.json('GET', '/.well-known/openid-configuration');
    expect(discovery.body).toMatchObject({
      introspection_endpoint: `${system.url}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    const openapi = await tenant.json('GET', '/openapi.json');
    const operation = openapi.body.paths['/oauth/introspect']?.post;
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '429', '503']),
    );
  });

  it('an expiring refresh token in force: active, with what it grants and its earliest end', async () => {
    const app = await webApp('introspect-active', rotating({ idle_token_lifetime: 600 }));
    const before = Math.floor(Date.now() / 1000);
    const { user, tokens } = await login(app);
    const res = await introspect(app, { token: tokens.refresh_token, token_type_hint: 'refresh_token' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      active: true,
      scope: 'openid profile email offline_access',
      client_id: app.client_id,
      sub: user.user_id,
      token_type: 'refresh_token',
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: `${system.url}/`,
      device_credential_id: expect.stringMatching(/^dcr_/),
    });
    // The idle end (600 s) comes before the absolute one (a day).
    expect(res.body.exp - res.body.iat).toBe(600);
    expect(res.body.iat).toBeGreaterThanOrEqual(before);
  });

  it('is inactive as soon as DELETE /api/v2/device-credentials/{id} has returned', async () => {
    const app = await webApp('introspect-revoked');
    const { tokens } = await login(app);
    const active = await introspect(app, { token: tokens.refresh_token });
    expect(active.body).toMatchObject({ active: true });
    expect(active.body.exp).toBeUndefined(); // a legacy token: only a revocation ends it

    const deleted = await tenant.management(
      'DELETE',
      `/device-credentials/${active.body.device_credential_id as string}`,
    );
    expect(deleted.status).toBe(204);
    // No waiting for the projector: the revocation is in force when the DELETE returns.
    expect((await introspect(app, { token: tokens.refresh_token })).body).toEqual({ active: false });
  });

  it("another client's tokens are inactive for it, and nothing about them is said", async () => {
    const owner = await webApp('introspect-owner');
    const stranger = await webApp('introspect-stranger');
    const { tokens } = await login(owner);
    for (const token of [tokens.refresh_token, tokens.access_token]) {
      expect((await introspect(owner, { token })).body).toMatchObject({ active: true });
      const res = await introspect(stranger, { token });
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { active: false } });
    }
  });

  it('a public client may not introspect, even its own token: 401 invalid_client', async () => {
    const { client_id: clientId } = await nativeClient(tenant, 'introspect-public');
    const user = await tenant.createUser(`introspect-${randomUUID()}@example.com`, PASSWORD);
    const tokens = await passwordLogin(tenant, clientId, user.email);
    const res = await tenant.form('/oauth/introspect', { client_id: clientId, token: tokens.refresh_token });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_client' });
  });

  it('a wrong secret is invalid_client; HTTP Basic works as client_secret_post does', async () => {
    const app = await webApp('introspect-basic');
    const { tokens } = await login(app);
    const wrong = await introspect(
      { ...app, client_secret: 'not-the-secret' },
      { token: tokens.access_token },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client' });
    const basic = Buffer.from(
      `${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`,
    ).toString('base64');
    const res = await tenant.form(
      '/oauth/introspect',
      { token: tokens.refresh_token },
      { authorization: `Basic ${basic}` },
    );
    expect(res.body).toMatchObject({ active: true, client_id: app.client_id });
  });

  it('a rotated-out token after its leeway is inactive, and introspecting it revokes nothing', async () => {
    const app = await webApp('introspect-rotated', rotating({ leeway: 0 }));
    const { tokens } = await login(app);
    const { device_credential_id: credentialId } = (await introspect(app, { token: tokens.refresh_token }))
      .body as { device_credential_id: string };
    const rotated = await rotate(app, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    await new Promise((r) => setTimeout(r, 20)); // past the leeway of 0
    const recorded = await streamTypes(credentialId);

    expect((await introspect(app, { token: tokens.refresh_token })).body).toEqual({ active: false });
    // The exchange would have recorded a reuse and revoked the family; a read records nothing.
    expect(await streamTypes(credentialId)).toEqual(recorded);
    expect(recorded).not.toContain('TokenRevoked');
    expect((await introspect(app, { token: rotated.body.refresh_token as string })).body).toMatchObject({
      active: true,
      device_credential_id: credentialId,
    });
    expect((await rotate(app, rotated.body.refresh_token as string)).status).toBe(200);
  });

  it('a rotated-out token within its leeway is active until the leeway ends', async () => {
    const app = await webApp('introspect-leeway', rotating({ leeway: 60 }));
    const { tokens } = await login(app);
    const rotated = await rotate(app, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const res = await introspect(app, { token: tokens.refresh_token });
    expect(res.body).toMatchObject({ active: true, token_type: 'refresh_token' });
    const now = Math.floor(Date.now() / 1000);
    expect(res.body.exp).toBeGreaterThan(now + 50);
    expect(res.body.exp).toBeLessThanOrEqual(now + 60);
  });

  it('an access token: active with its own claims; inactive once its refresh token is revoked', async () => {
    const app = await webApp('introspect-access');
    const { user, tokens } = await login(app);
    // The hint is a hint only: a wrong one still finds the token.
    const res = await introspect(app, { token: tokens.access_token, token_type_hint: 'refresh_token' });
    expect(res.body).toEqual({
      active: true,
      scope: 'openid profile email offline_access',
      client_id: app.client_id,
      sub: user.user_id,
      token_type: 'Bearer',
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: `${system.url}/`,
      aud: `${system.url}/userinfo`,
      jti: expect.any(String),
      device_credential_id: expect.stringMatching(/^dcr_/),
    });
    expect(res.body.exp - res.body.iat).toBe(86_400);

    const revoked = await tenant.form('/oauth/revoke', {
      client_id: app.client_id,
      client_secret: app.client_secret,
      token: tokens.refresh_token,
    });
    expect(revoked.status).toBe(200);
    expect((await introspect(app, { token: tokens.access_token })).body).toEqual({ active: false });
    // The same check as /userinfo's.
    const userinfo = await tenant.json('GET', '/userinfo', undefined, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    expect(userinfo.status).toBe(401);
  });

  it('issue 19 finding 8: an access token stops at /userinfo and introspection once its family is idle past its lifetime, before any exchange recorded it', async () => {
    const app = await webApp('introspect-idle', rotating({ idle_token_lifetime: 1 }));
    const { tokens } = await login(app);
    const userinfo = () =>
      tenant.json('GET', '/userinfo', undefined, { authorization: `Bearer ${tokens.access_token}` });
    expect((await userinfo()).status).toBe(200);
    const { device_credential_id: credentialId } = (await introspect(app, { token: tokens.access_token }))
      .body as { device_credential_id: string };

    await new Promise((r) => setTimeout(r, 1_200));
    // The access token itself lives a day; its family's idle lifetime (1 s) has passed.
    expect((await introspect(app, { token: tokens.access_token })).body).toEqual({ active: false });
    const refused = await userinfo();
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: 'invalid_token' });
    // Decided by the decider's rules on read: nothing recorded, the exchange still records the expiry.
    expect(await streamTypes(credentialId)).toEqual(['TokenIssued']);
  });

  it('garbage, an unknown token or an unknown hint: 200 {"active": false}', async () => {
    const app = await webApp('introspect-garbage');
    const cases: Record<string, string>[] = [
      { token: 'garbage' },
      { token: 'a.b.c', token_type_hint: 'access_token' },
      { token: 'x'.repeat(43), token_type_hint: 'id_token' },
    ];
    for (const fields of cases) {
      const res = await introspect(app, fields);
      expect({ fields, status: res.status, body: res.body }).toEqual({
        fields,
        status: 200,
        body: { active: false },
      });
    }
  });

  it('a missing token is 400 invalid_request', async () => {
    const app = await webApp('introspect-missing');
    const res = await introspect(app, {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter: token',
    });
  });

  // Issue 19 finding 1: looking up an unknown token costs the store a query (and, before the fix, could
  // fold a whole family): /oauth/revoke and /oauth/introspect count them as the exchange does, per
  // address and client, and refuse past the limit (DELEGATION_FAILURE_LIMIT_PER_MINUTE, 30 here).
  describe('issue 19 finding 1: the failed-lookup limit', () => {
    const bogus = () => randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');

    it('issue 19 finding 1: 35 bogus tokens at /oauth/revoke from one address hit the limit', async () => {
      const app = await webApp('revoke-guesser');
      const { tokens } = await login(app);
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<TenantClient['form']>> | undefined;
      for (let i = 0; i < 35; i++) {
        const res = await tenant.form('/oauth/revoke', {
          client_id: app.client_id,
          client_secret: app.client_secret,
          token: bogus(),
        });
        statuses.push(res.status);
        if (res.status === 429) limited ??= res;
      }
      expect(statuses.slice(0, 20)).toEqual(Array<number>(20).fill(200));
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(30);
      expect(statuses.slice(-5)).toEqual(Array<number>(5).fill(429));
      expect(limited!.body).toMatchObject({ error: 'too_many_requests' });
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited!.headers.get('x-ratelimit-remaining')).toBe('0');
      // Nothing was looked up past the limit: the client's own token is not revoked by a refused call.
      const refused = await tenant.form('/oauth/revoke', {
        client_id: app.client_id,
        client_secret: app.client_secret,
        token: tokens.refresh_token,
      });
      expect(refused.status).toBe(429);
      expect((await introspect(app, { token: tokens.refresh_token })).body).toMatchObject({ active: true });
    });

    it('issue 19 finding 1: bogus tokens at /oauth/introspect from one address hit the limit', async () => {
      const app = await webApp('introspect-guesser');
      const statuses: number[] = [];
      for (let i = 0; i < 35; i++) statuses.push((await introspect(app, { token: bogus() })).status);
      expect(statuses[0]).toBe(200);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(30);
      expect(statuses.slice(-5)).toEqual(Array<number>(5).fill(429));
    });
  });
});
