import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { DataSource } from 'typeorm';
import { loadConfig } from '@libs/config';
import { decodeEnvelope, EventHasher } from '@libs/event-store';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import type { EventEnvelope } from '@libs/domain';
import { INVALID_REFRESH_TOKEN as INVALID, JWT_BEARER, nativeClient, webClient } from './fixtures/oauth';

/**
 * The flows an Auth0 customer's native app uses, over HTTP against the running api and projector,
 * with the real broker and database: password grant → refresh token → /delegation and the
 * refresh_token grant, every refusal with its status and body, and the events on the topic.
 */
describe('refresh tokens: issue and exchange (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };
  let other: { client_id: string };
  let web: { client_id: string; client_secret?: string };
  let user: { user_id: string; email: string };
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  const password = 'correct horse battery staple';
  const passwordGrant = (extra: Record<string, string> = {}, clientId = app.client_id) =>
    tenant.form('/oauth/token', {
      grant_type: 'password',
      client_id: clientId,
      username: user.email,
      password,
      scope: 'openid profile email offline_access',
      device: 'Pixel 9',
      ...extra,
    });
  const delegate = (refreshToken: string, extra: Record<string, string> = {}) =>
    tenant.json('POST', '/delegation', {
      client_id: app.client_id,
      grant_type: JWT_BEARER,
      refresh_token: refreshToken,
      ...extra,
    });
  const verify = (token: string, audience: string) =>
    jwtVerify(token, jwks, { issuer: `${system.url}/`, audience });

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    jwks = createRemoteJWKSet(new URL(`${system.url}/.well-known/jwks.json`));
    app = await nativeClient(tenant, 'Mobile app', 'com.example.app://callback');
    other = await nativeClient(tenant, 'Other app', 'com.example.other://callback', {
      jwt_configuration: { lifetime_in_seconds: 600, alg: 'ES256' },
      // Issue 19 finding 10: a target names the clients that may have tokens signed for it.
      allowed_clients: [app.client_id],
    });
    web = await webClient(tenant, 'Web app');
    user = await tenant.createUser(`ada-${randomUUID().slice(0, 8)}@example.com`, password);
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  describe('password grant', () => {
    it('issues a refresh token for a named device, with an id_token and access token', async () => {
      const res = await passwordGrant();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 86400,
        scope: 'openid profile email offline_access',
      });
      expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
      const { payload } = await verify(res.body.id_token, app.client_id);
      expect(payload).toMatchObject({ sub: user.user_id, email: user.email, azp: app.client_id });
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('refuses offline_access without a device', async () => {
      const res = await passwordGrant({ device: '' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: 'The device parameter is required when requesting offline_access.',
      });
    });

    it('gives no refresh token without offline_access', async () => {
      const res = await passwordGrant({ scope: 'openid' });
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toBeUndefined();
    });

    it('refuses a wrong password like Auth0', async () => {
      const res = await passwordGrant({ password: 'wrong password!' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Wrong email or password.' });
    });

    it('refuses a client that does not enable the password grant', async () => {
      const spa = await tenant.createClient({
        name: 'SPA',
        app_type: 'spa',
        callbacks: ['https://spa.example.com/cb'],
      });
      const res = await passwordGrant({}, spa.client_id);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('unauthorized_client');
    });

    it('authenticates confidential clients', async () => {
      expect((await passwordGrant({}, web.client_id)).status).toBe(401);
      const res = await passwordGrant({ client_secret: 'not-the-secret' }, web.client_id);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      expect((await passwordGrant({ client_secret: web.client_secret! }, web.client_id)).status).toBe(200);
    });
  });

  describe('/delegation', () => {
    let refreshToken: string;
    beforeAll(async () => {
      refreshToken = (await passwordGrant()).body.refresh_token;
    });

    it('exchanges a refresh token for an id_token verified against the JWKS (JSON body)', async () => {
      const res = await delegate(refreshToken);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['expires_in', 'id_token', 'token_type']);
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 36000 });
      const { payload, protectedHeader } = await verify(res.body.id_token, app.client_id);
      expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
      expect(payload).toMatchObject({
        iss: `${system.url}/`,
        sub: user.user_id,
        aud: app.client_id,
        azp: app.client_id,
      });
      expect(payload.exp! - payload.iat!).toBe(res.body.expires_in);
    });

    it('accepts a form body, as older auth0.js sent it, with auth0.js v7 parameters', async () => {
      const res = await tenant.form('/delegation', {
        grant_type: JWT_BEARER,
        client_id: app.client_id,
        target: app.client_id,
        api_type: 'auth0',
        refresh_token: refreshToken,
        scope: 'passthrough',
      });
      expect(res.status).toBe(200);
      const { payload } = await verify(res.body.id_token, app.client_id);
      expect(payload.email).toBe(user.email); // passthrough: the credential's own scope
    });

    it('accepts GET with a query string, and JSONP with a callback (the id_token form)', async () => {
      const query = new URLSearchParams({
        grant_type: JWT_BEARER,
        client_id: app.client_id,
        id_token: (await delegate(refreshToken)).body.id_token,
      });
      const plain = await fetch(`${system.url}/delegation?${query}`);
      expect(plain.status).toBe(200);
      expect(((await plain.json()) as { token_type: string }).token_type).toBe('Bearer');
      query.set('callback', 'handleToken');
      const jsonp = await fetch(`${system.url}/delegation?${query}`);
      // RFC 9239: text/javascript is the registered type; application/javascript is obsolete.
      expect(jsonp.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await jsonp.text()).toMatch(
        /^\/\*\*\/ typeof handleToken === 'function' && handleToken\(\{"token_type":"Bearer"/,
      );
    });

    it('issue 19 finding 11: refuses a refresh token or client secret in a GET query string with 400', async () => {
      const refused = {
        refresh_token: 'refresh_token must not be sent in a URL: POST /delegation with them in the body.',
        client_secret: 'client_secret must not be sent in a URL: POST /delegation with them in the body.',
      };
      const base = { grant_type: JWT_BEARER, client_id: web.client_id };
      for (const [name, value] of [
        ['refresh_token', refreshToken],
        ['client_secret', web.client_secret!],
      ] as const) {
        const query = new URLSearchParams({ ...base, [name]: value });
        if (name === 'client_secret') query.set('id_token', (await delegate(refreshToken)).body.id_token);
        const plain = await fetch(`${system.url}/delegation?${query}`);
        expect([plain.status, await plain.json()]).toEqual([
          400,
          { error: 'invalid_request', error_description: refused[name] },
        ]);
        query.set('cbx', '__auth0jp0');
        const jsonp = await fetch(`${system.url}/delegation?${query}`);
        expect(jsonp.status).toBe(200);
        expect(await jsonp.text()).toBe(
          `/**/ typeof __auth0jp0 === 'function' && __auth0jp0(${JSON.stringify({
            status: 400,
            error: 'invalid_request',
            error_description: refused[name],
          })});`,
        );
      }
      // The same refresh token still works in a POST body: nothing about it was used or recorded.
      expect((await delegate(refreshToken)).status).toBe(200);
    });

    it('issues for another target client with its lifetime and algorithm', async () => {
      const res = await delegate(refreshToken, { target: other.client_id, scope: 'openid' });
      expect(res.status).toBe(200);
      expect(res.body.expires_in).toBe(600);
      expect(decodeProtectedHeader(res.body.id_token).alg).toBe('ES256');
      const { payload } = await verify(res.body.id_token, other.client_id);
      expect(payload).toMatchObject({ aud: other.client_id, azp: app.client_id });
      expect(payload.email).toBeUndefined();
    });

    it('sends the rate-limit headers', async () => {
      const res = await delegate(refreshToken);
      expect(Number(res.headers.get('x-ratelimit-limit'))).toBe(1000);
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(1000);
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    });

    it('refuses a token presented by another client', async () => {
      const res = await tenant.json('POST', '/delegation', {
        client_id: other.client_id,
        grant_type: JWT_BEARER,
        refresh_token: refreshToken,
      });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(INVALID);
    });

    it('refuses an unknown token', async () => {
      const res = await delegate('A'.repeat(43));
      expect(res.status).toBe(403);
      expect(res.body).toEqual(INVALID);
    });

    it.each([
      [{ grant_type: JWT_BEARER, refresh_token: 'x' }, 400, 'invalid_request'],
      [{ client_id: 'nope', grant_type: JWT_BEARER, refresh_token: 'x' }, 401, 'invalid_client'],
      [{ client_id: '@app', grant_type: 'password', refresh_token: 'x' }, 400, 'unsupported_grant_type'],
      [{ client_id: '@app', grant_type: JWT_BEARER }, 400, 'invalid_request'],
      [{ client_id: '@app', grant_type: JWT_BEARER, refresh_token: ['a', 'b'] }, 400, 'invalid_request'],
      [
        { client_id: '@app', grant_type: JWT_BEARER, refresh_token: 'x', target: 'no-such-client' },
        403,
        'invalid_grant',
      ],
    ])('refuses %p with %d %s', async (body, status, error) => {
      const resolved = JSON.parse(JSON.stringify(body).replace('"@app"', JSON.stringify(app.client_id)));
      const res = await tenant.json('POST', '/delegation', resolved);
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(error);
      expect(typeof res.body.error_description).toBe('string');
    });

    it('refuses malformed JSON with a 400, not a 500', async () => {
      const res = await fetch(`${system.url}/delegation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"client_id":',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_request',
        error_description: expect.stringMatching(/JSON/),
      });
    });

    it('serves many concurrent exchanges of one token, recording each', async () => {
      const token = (await passwordGrant({ device: 'Shared tablet' })).body.refresh_token;
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all(Array.from({ length: 15 }, () => delegate(token)));
        expect(results.map((r) => r.status)).toEqual(Array(15).fill(200));
      }
    });

    it('exchanges an id_token (the other form of /delegation)', async () => {
      const idToken = (await delegate(refreshToken)).body.id_token;
      const res = await tenant.json('POST', '/delegation', {
        client_id: app.client_id,
        grant_type: JWT_BEARER,
        id_token: idToken,
      });
      expect(res.status).toBe(200);
      expect((await verify(res.body.id_token, app.client_id)).payload.sub).toBe(user.user_id);
    });
  });

  describe('refresh_token grant', () => {
    let refreshToken: string;
    beforeAll(async () => {
      refreshToken = (await passwordGrant()).body.refresh_token;
    });
    const refresh = (extra: Record<string, string> = {}) =>
      tenant.form('/oauth/token', {
        grant_type: 'refresh_token',
        client_id: app.client_id,
        refresh_token: refreshToken,
        ...extra,
      });

    it('returns a new id_token and access token, and no new refresh token (no rotation)', async () => {
      const res = await refresh();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email offline_access' });
      expect(res.body.refresh_token).toBeUndefined();
      expect((await verify(res.body.id_token, app.client_id)).payload.email).toBe(user.email);
      const userinfo = await tenant.json('GET', '/userinfo', undefined, {
        authorization: `Bearer ${res.body.access_token}`,
      });
      expect(userinfo.body).toMatchObject({ sub: user.user_id, email: user.email });
    });

    it('narrows the scope on request', async () => {
      const res = await refresh({ scope: 'openid' });
      expect(res.body.scope).toBe('openid');
      expect((await verify(res.body.id_token, app.client_id)).payload.email).toBeUndefined();
    });

    it('refuses a wider scope', async () => {
      const res = await refresh({ scope: 'openid admin' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_scope');
    });

    it('refuses the token for another client and an unknown token', async () => {
      expect((await refresh({ client_id: other.client_id })).body).toEqual(INVALID);
      expect((await refresh({ refresh_token: 'nope' })).status).toBe(403);
    });
  });

  describe('blocked and deleted users', () => {
    it('stops a blocked user’s tokens, and a deleted user’s', async () => {
      const victim = await tenant.createUser(`bob-${randomUUID().slice(0, 8)}@example.com`, password);
      const token = (
        await tenant.form('/oauth/token', {
          grant_type: 'password',
          client_id: app.client_id,
          username: victim.email,
          password,
          scope: 'openid offline_access',
          device: 'iPad',
        })
      ).body.refresh_token;
      expect((await delegate(token)).status).toBe(200);
      await tenant.management('PATCH', `/users/${encodeURIComponent(victim.user_id)}`, { blocked: true });
      expect((await delegate(token)).body).toEqual(INVALID);
      await tenant.management('PATCH', `/users/${encodeURIComponent(victim.user_id)}`, { blocked: false });
      // Blocking revoked the token for good; a new login gives a new one.
      expect((await delegate(token)).body).toEqual(INVALID);
      const fresh = (
        await tenant.form('/oauth/token', {
          grant_type: 'password',
          client_id: app.client_id,
          username: victim.email,
          password,
          scope: 'openid offline_access',
          device: 'iPad',
        })
      ).body.refresh_token;
      expect((await delegate(fresh)).status).toBe(200);
      await tenant.management('DELETE', `/users/${encodeURIComponent(victim.user_id)}`);
      // Auth0's own text for a deleted user's token (Auth0.Android's isRefreshTokenDeleted matches it).
      expect((await delegate(fresh)).body).toEqual({
        error: 'invalid_grant',
        error_description: "The refresh_token was generated for a user who doesn't exist anymore.",
      });
    });
  });

  describe('events and the projection', () => {
    it('records every exchange in order on the topic, each envelope complete and hash-chained', async () => {
      const issued = await passwordGrant({ device: 'Event phone' });
      for (let i = 0; i < 3; i++) expect((await delegate(issued.body.refresh_token)).status).toBe(200);

      const db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
      const [{ stream_id }] = await db.query(
        `SELECT stream_id FROM events WHERE type = 'TokenIssued' AND data->>'device_name' = 'Event phone'`,
      );
      await db.destroy();

      const consumer = testKafka().consumer({ groupId: `reader-${randomUUID()}` });
      const seen: EventEnvelope[] = [];
      const keys: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: eventTopic(system.topicPrefix), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const envelope = decodeEnvelope(message);
          if (envelope.stream_id === stream_id) {
            seen.push(envelope);
            keys.push(message.key!.toString());
          }
        },
      });
      try {
        await eventually(() => seen.length >= 4, 30_000);
      } finally {
        await consumer.disconnect();
      }
      expect(seen.map((e) => e.type)).toEqual([
        'TokenIssued',
        'IdTokenDelegated',
        'IdTokenDelegated',
        'IdTokenDelegated',
      ]);
      expect(seen.map((e) => e.stream_version)).toEqual([1, 2, 3, 4]);
      expect(new Set(keys)).toEqual(new Set([stream_id]));
      for (const [i, e] of seen.entries()) {
        expect(Object.keys(e).sort()).toEqual(
          [
            'causation_id',
            'correlation_id',
            'data',
            'event_id',
            'hash',
            'occurred_at',
            'previous_hash',
            'schema_version',
            'stream_id',
            'stream_version',
            'type',
          ].sort(),
        );
        // The keyed chain, under the same (default) secret the system under test runs with.
        expect(EventHasher.fromConfig(loadConfig({})).verify(e as never)).toBe(true);
        expect(e.previous_hash).toBe(i === 0 ? null : seen[i - 1].hash);
      }
      expect(JSON.stringify(seen)).not.toContain(issued.body.refresh_token);
      expect(seen[1].data).toMatchObject({
        credential_id: stream_id,
        user_id: user.user_id,
        client_id: app.client_id,
        target: app.client_id,
        api_type: 'app',
        via: 'delegation',
      });

      // The projector has built the view the delegation path validates against.
      const view = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
      try {
        await eventually(async () => {
          const [row] = await view.query(
            'SELECT delegation_count, status, device_name FROM device_credentials WHERE id = $1',
            [stream_id],
          );
          return row?.delegation_count === 3;
        }, 30_000);
      } finally {
        await view.destroy();
      }
    }, 60_000);

    it('never writes a refresh token or password to the logs', async () => {
      const issued = await passwordGrant();
      await delegate(issued.body.refresh_token);
      await new Promise((r) => setTimeout(r, 200));
      const logs = [...system.api.lines, ...system.api.stderr].join('\n');
      expect(logs).not.toContain(issued.body.refresh_token);
      expect(logs).not.toContain(password);
    });
  });
});
