import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';

jest.setTimeout(120_000);

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PASSWORD = 'correct horse battery staple';
const OAUTH_MEMBERS = ['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type'];
const USER_DELETED = {
  error: 'invalid_grant',
  error_description: "The refresh_token was generated for a user who doesn't exist anymore.",
};

/**
 * Issue 10's legacy surface over HTTP against the running api and projector: /oauth/ro, /tokeninfo,
 * HS256 id_tokens and rotate-secret, the deleted-user text, 405 with Allow, rate-limit headers on every
 * /delegation answer, and a password-grant answer with OAuth members only.
 */
describe('legacy endpoints and formats (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };
  let noPassword: { client_id: string };
  let web: { client_id: string; client_secret?: string };
  let trusting: { client_id: string; client_secret?: string };
  let user: { user_id: string; email: string };
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  const ro = (fields: Record<string, string>, clientId = app.client_id) =>
    tenant.form('/oauth/ro', {
      client_id: clientId,
      username: user.email,
      password: PASSWORD,
      connection: 'Username-Password-Authentication',
      grant_type: 'password',
      scope: 'openid offline_access',
      device: 'Legacy phone',
      ...fields,
    });
  const delegate = (body: Record<string, string>) =>
    tenant.json('POST', '/delegation', { client_id: app.client_id, grant_type: JWT_BEARER, ...body });
  const rateLimitHeaders = (headers: Headers) => ({
    limit: headers.get('x-ratelimit-limit'),
    remaining: headers.get('x-ratelimit-remaining'),
    reset: headers.get('x-ratelimit-reset'),
  });

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    jwks = createRemoteJWKSet(new URL(`${system.url}/.well-known/jwks.json`));
    const grants = ['authorization_code', 'refresh_token', JWT_BEARER, 'password'];
    app = await tenant.createClient({ name: 'Legacy app', app_type: 'native', grant_types: grants });
    noPassword = await tenant.createClient({
      name: 'No password',
      app_type: 'native',
      grant_types: ['authorization_code', 'refresh_token', JWT_BEARER],
    });
    web = await tenant.createClient({
      name: 'HS256 web app',
      app_type: 'regular_web',
      grant_types: grants,
      jwt_configuration: { alg: 'HS256' },
    });
    trusting = await tenant.createClient({
      name: 'HS256 target that trusts the legacy app',
      app_type: 'regular_web',
      grant_types: grants,
      jwt_configuration: { alg: 'HS256' },
      allowed_clients: [app.client_id],
    });
    user = await tenant.createUser(`legacy-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  describe('POST /oauth/ro', () => {
    it('answers the legacy shape with a device-bound refresh token that /delegation accepts', async () => {
      const res = await ro({});
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual([
        'access_token',
        'id_token',
        'refresh_token',
        'token_type',
      ]);
      expect(res.body.token_type).toBe('bearer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { payload } = await jwtVerify(res.body.id_token, jwks, { audience: app.client_id });
      expect(payload.sub).toBe(user.user_id);
      expect((await delegate({ refresh_token: res.body.refresh_token })).status).toBe(200);
      // The device credential appears once the projector has applied TokenIssued.
      await eventually(async () => {
        const devices = await tenant.management('GET', `/device-credentials?user_id=${user.user_id}`);
        return devices.body.some((d: { device_name: string }) => d.device_name === 'Legacy phone');
      });
    });

    it('accepts a JSON body and gives no refresh token without offline_access', async () => {
      const res = await tenant.json('POST', '/oauth/ro', {
        client_id: app.client_id,
        username: user.email,
        password: PASSWORD,
        connection: 'Username-Password-Authentication',
        grant_type: 'password',
        scope: 'openid',
      });
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toBeUndefined();
    });

    it('applies the password grant rules: device with offline_access, grant enabled, right password', async () => {
      expect(await ro({ device: '' }).then((r) => [r.status, r.body])).toEqual([
        400,
        {
          error: 'invalid_request',
          error_description: 'The device parameter is required when requesting offline_access.',
        },
      ]);
      expect((await ro({}, noPassword.client_id)).body.error).toBe('unauthorized_client');
      expect((await ro({ password: 'wrong password!' })).body).toEqual({
        error: 'invalid_grant',
        error_description: 'Wrong email or password.',
      });
    });

    it('authenticates confidential clients like /oauth/token and refuses unknown connections', async () => {
      expect((await ro({}, web.client_id)).status).toBe(401);
      expect((await ro({ client_secret: web.client_secret! }, web.client_id)).status).toBe(200);
      expect((await ro({ connection: 'google-oauth2' })).body.error).toBe('invalid_request');
      expect((await ro({ grant_type: 'refresh_token' })).body.error).toBe('unsupported_grant_type');
    });
  });

  describe('POST /tokeninfo', () => {
    it('returns the user profile for an id_token, in JSON or form', async () => {
      const idToken = (await ro({ scope: 'openid' })).body.id_token;
      const json = await tenant.json('POST', '/tokeninfo', { id_token: idToken });
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({ user_id: user.user_id, email: user.email });
      expect(json.body.blocked).toBeUndefined();
      expect((await tenant.form('/tokeninfo', { id_token: idToken })).body.user_id).toBe(user.user_id);
    });

    it('answers 401 invalid_token for a forged or garbage token and 400 without one', async () => {
      const idToken = (await ro({ scope: 'openid' })).body.id_token as string;
      const forged = `${idToken.slice(0, -4)}AAAA`;
      for (const token of [forged, 'not-a-jwt']) {
        const res = await tenant.json('POST', '/tokeninfo', { id_token: token });
        expect([res.status, res.body]).toEqual([
          401,
          { error: 'invalid_token', error_description: 'Invalid id_token.' },
        ]);
      }
      expect((await tenant.json('POST', '/tokeninfo', {})).status).toBe(400);
    });
  });

  describe('HS256 id_tokens', () => {
    it('signs a confidential client’s id_tokens with its secret, outside the JWKS, and /tokeninfo reads them', async () => {
      const res = await ro({ client_secret: web.client_secret!, scope: 'openid' }, web.client_id);
      expect(decodeProtectedHeader(res.body.id_token)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const secret = new TextEncoder().encode(web.client_secret);
      const { payload } = await jwtVerify(res.body.id_token, secret, { audience: web.client_id });
      expect(payload.sub).toBe(user.user_id);
      const keys = (await tenant.json('GET', '/.well-known/jwks.json')).body.keys as { alg: string }[];
      expect(keys.map((k) => k.alg)).not.toContain('HS256');
      expect((await tenant.json('POST', '/tokeninfo', { id_token: res.body.id_token })).status).toBe(200);
    });

    it('verifies an HS256 id_token at /delegation with the client’s secret, and refuses another target', async () => {
      const idToken = (await ro({ client_secret: web.client_secret!, scope: 'openid' }, web.client_id)).body
        .id_token;
      const own = await tenant.json('POST', '/delegation', {
        client_id: web.client_id,
        // A confidential client authenticates at /delegation as at /oauth/token.
        client_secret: web.client_secret,
        grant_type: JWT_BEARER,
        id_token: idToken,
      });
      expect(own.status).toBe(200);
      expect(decodeProtectedHeader(own.body.id_token).alg).toBe('HS256');
      const elsewhere = await tenant.json('POST', '/delegation', {
        client_id: web.client_id,
        client_secret: web.client_secret,
        grant_type: JWT_BEARER,
        id_token: idToken,
        target: app.client_id,
      });
      expect([elsewhere.status, elsewhere.body.error]).toEqual([403, 'unauthorized_client']);
    });

    it('issue 19 finding 10: signs for an HS256 target with its secret only when its allowed_clients names the client', async () => {
      const refreshToken = (await ro({})).body.refresh_token;
      // `web` names no client: a public client cannot have tokens signed with web's secret.
      const refused = await delegate({ refresh_token: refreshToken, target: web.client_id });
      expect([refused.status, refused.body]).toEqual([
        403,
        {
          error: 'unauthorized_client',
          error_description:
            'The target client does not allow delegation from this client (allowed_clients).',
        },
      ]);
      const res = await delegate({ refresh_token: refreshToken, target: trusting.client_id });
      expect(res.status).toBe(200);
      const secret = new TextEncoder().encode(trusting.client_secret);
      const { payload } = await jwtVerify(res.body.id_token, secret, { audience: trusting.client_id });
      expect(payload.azp).toBe(app.client_id);
      // Issue 19 finding 9: an HS256 delegation to another target is recorded, so /tokeninfo believes it.
      const info = await tenant.json('POST', '/tokeninfo', { id_token: res.body.id_token });
      expect([info.status, info.body.user_id]).toEqual([200, user.user_id]);
    });

    it('refuses HS256 for a public client with a 400', async () => {
      const res = await tenant.management('POST', '/clients', {
        name: 'Public HS256',
        app_type: 'native',
        jwt_configuration: { alg: 'HS256' },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('HS256');
    });

    it('rotates a secret: the new one signs and authenticates, the old one stops working', async () => {
      const client = await tenant.createClient({
        name: 'Rotating',
        app_type: 'regular_web',
        grant_types: ['password'],
        jwt_configuration: { alg: 'HS256' },
      });
      const rotated = await tenant.management('POST', `/clients/${client.client_id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({
        client_id: client.client_id,
        jwt_configuration: { alg: 'HS256' },
      });
      expect(rotated.body.client_secret).not.toBe(client.client_secret);
      expect(
        (await ro({ client_secret: client.client_secret!, scope: 'openid' }, client.client_id)).status,
      ).toBe(401);
      const res = await ro({ client_secret: rotated.body.client_secret, scope: 'openid' }, client.client_id);
      const secret = new TextEncoder().encode(rotated.body.client_secret);
      await expect(
        jwtVerify(res.body.id_token, secret, { audience: client.client_id }),
      ).resolves.toBeDefined();
      const publicRotation = await tenant.management('POST', `/clients/${app.client_id}/rotate-secret`);
      expect(publicRotation.status).toBe(400);
    });
  });

  describe('Auth0’s answers where they differed', () => {
    it('gives a deleted user’s refresh token Auth0’s text, at /delegation and the refresh_token grant', async () => {
      const doomed = await tenant.createUser(`doomed-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);
      const login = await tenant.form('/oauth/ro', {
        client_id: app.client_id,
        username: doomed.email,
        password: PASSWORD,
        scope: 'openid offline_access',
        device: 'Doomed phone',
      });
      expect((await tenant.management('DELETE', `/users/${doomed.user_id}`)).status).toBe(204);
      const viaDelegation = await delegate({ refresh_token: login.body.refresh_token });
      expect([viaDelegation.status, viaDelegation.body]).toEqual([403, USER_DELETED]);
      const viaGrant = await tenant.form('/oauth/token', {
        grant_type: 'refresh_token',
        client_id: app.client_id,
        refresh_token: login.body.refresh_token,
      });
      expect([viaGrant.status, viaGrant.body]).toEqual([403, USER_DELETED]);
    });

    it('answers a wrong method with 405, an Allow header and an OAuth-style body, on any route', async () => {
      for (const [method, path, allow] of [
        ['PUT', '/delegation', 'GET, HEAD, POST'],
        ['GET', '/oauth/token', 'POST'],
        ['DELETE', '/oauth/ro', 'POST'],
        ['GET', '/tokeninfo', 'POST'],
        ['DELETE', '/api/v2/clients', 'GET, HEAD, POST'],
      ]) {
        const res = await tenant.json(method, path);
        expect([path, res.status, res.headers.get('allow')]).toEqual([path, 405, allow]);
        expect(res.body).toEqual({ error: 'method_not_allowed', error_description: expect.any(String) });
      }
      expect((await tenant.json('GET', '/no-such-route')).status).toBe(404);
    });

    it('sends X-RateLimit-* on every /delegation answer, refusals included', async () => {
      const good = (await ro({})).body.refresh_token;
      const answers = [
        await delegate({ refresh_token: good }),
        await delegate({ refresh_token: 'unknown-token' }),
        await tenant.json('POST', '/delegation', {
          client_id: 'nobody',
          grant_type: JWT_BEARER,
          refresh_token: 'x',
        }),
        await tenant.json('POST', '/delegation', {}),
        await tenant.json('PUT', '/delegation'),
        await tenant.form('/delegation', {}, { 'content-type': 'application/json' }),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 403, 401, 400, 405, 400]);
      for (const answer of answers) {
        const headers = rateLimitHeaders(answer.headers);
        expect(headers.limit).toMatch(/^\d+$/);
        expect(headers.remaining).toMatch(/^\d+$/);
        expect(Number(headers.reset)).toBeGreaterThan(Date.now() / 1000 - 1);
      }
    });
  });

  describe('point 13: the password grant answers OAuth members only', () => {
    it('leaks no internal field (credentialId) in the /oauth/token password answer', async () => {
      const res = await tenant.form('/oauth/token', {
        grant_type: 'password',
        client_id: app.client_id,
        username: user.email,
        password: PASSWORD,
        scope: 'openid offline_access',
        device: 'Member check',
      });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(OAUTH_MEMBERS);
    });
  });
});
