import { randomUUID } from 'node:crypto';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import { INVALID_REFRESH_TOKEN as INVALID, JWT_BEARER, nativeClient, webClient } from './fixtures/oauth';

/** Revocation over HTTP: the Management API's device credentials and RFC 7009 `/oauth/revoke`. */
describe('revocation (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };
  let other: { client_id: string };
  let web: { client_id: string; client_secret?: string };
  let user: { user_id: string; email: string };
  const password = 'a long enough password';

  const login = (device: string, clientId = app.client_id, extra: Record<string, string> = {}) =>
    tenant
      .form('/oauth/token', {
        grant_type: 'password',
        client_id: clientId,
        username: user.email,
        password,
        scope: 'openid offline_access',
        device,
        ...extra,
      })
      .then((res) => res.body.refresh_token as string);
  const delegate = (token: string, clientId = app.client_id) =>
    tenant.json('POST', '/delegation', { client_id: clientId, grant_type: JWT_BEARER, refresh_token: token });
  const listed = (query = '') =>
    tenant.management('GET', `/device-credentials?user_id=${encodeURIComponent(user.user_id)}${query}`);

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    app = await nativeClient(tenant, 'App', 'com.example.a://cb');
    other = await nativeClient(tenant, 'Other', 'com.example.b://cb');
    web = await webClient(tenant, 'Web', 'https://web.example.com/cb');
    user = await tenant.createUser(`rev-${randomUUID().slice(0, 8)}@example.com`, password);
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  describe('GET /api/v2/device-credentials', () => {
    beforeAll(async () => {
      for (let i = 0; i < 5; i++) await login(`list-device-${i}`);
      await login('other-device', other.client_id);
      await eventually(async () => (await listed()).body.length === 6, 20_000);
    });

    it('lists the user’s credentials from the projection, never the token or its hash', async () => {
      const res = await listed();
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(6);
      for (const item of res.body) {
        expect(Object.keys(item).sort()).toEqual([
          'client_id',
          'device_id',
          'device_name',
          'id',
          'type',
          'user_id',
        ]);
        expect(item).toMatchObject({
          id: expect.stringMatching(/^dcr_/),
          type: 'refresh_token',
          user_id: user.user_id,
        });
      }
    });

    it('filters by client_id and type', async () => {
      expect((await listed(`&client_id=${other.client_id}`)).body).toHaveLength(1);
      expect((await listed('&type=refresh_token')).body).toHaveLength(6);
      expect((await listed('&type=public_key')).body).toEqual([]);
    });

    it('pages (0-based) and wraps with totals on request', async () => {
      const first = await listed('&per_page=4&page=0&include_totals=true');
      expect(first.body).toMatchObject({ start: 0, limit: 4, length: 4, total: 6 });
      expect(first.body.device_credentials).toHaveLength(4);
      const second = await listed('&per_page=4&page=1&include_totals=true');
      expect(second.body).toMatchObject({ start: 4, limit: 4, length: 2, total: 6 });
      const ids = [...first.body.device_credentials, ...second.body.device_credentials].map(
        (c: { id: string }) => c.id,
      );
      expect(new Set(ids).size).toBe(6);
    });

    it('keeps or drops fields with fields + include_fields', async () => {
      const kept = await listed('&fields=id,device_name');
      expect(Object.keys(kept.body[0]).sort()).toEqual(['device_name', 'id']);
      const dropped = await listed('&fields=id,device_name&include_fields=false');
      expect(Object.keys(dropped.body[0]).sort()).toEqual(['client_id', 'device_id', 'type', 'user_id']);
    });

    it.each([
      ['&per_page=1001', /per_page/],
      ['&page=-1', /page/],
      ['&fields=token_hash', /fields/],
      ['&type=password', /type/],
      ['&include_totals=maybe', /include_totals/],
    ])('refuses %s with 400', async (query, message) => {
      const res = await listed(query);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        errorCode: 'invalid_query_string',
        error_description: expect.stringMatching(message),
      });
    });
  });

  describe('scopes', () => {
    let limited: string;
    beforeAll(async () => {
      const m2m = await tenant.createClient({
        name: 'Reader',
        app_type: 'non_interactive',
        grant_types: ['client_credentials'],
        management_api_scopes: ['read:device_credentials'],
      });
      limited = (
        await tenant.form('/oauth/token', {
          grant_type: 'client_credentials',
          client_id: m2m.client_id,
          client_secret: m2m.client_secret!,
          audience: `${system.url}/api/v2/`,
        })
      ).body.access_token;
    });

    it('answers 401 without a token', async () => {
      const res = await tenant.json('GET', '/api/v2/device-credentials');
      expect(res.status).toBe(401);
      expect(res.body.error_description).toEqual(expect.any(String));
    });

    it('answers 403 insufficient_scope for DELETE with only read:device_credentials', async () => {
      const auth = { authorization: `Bearer ${limited}` };
      expect((await tenant.json('GET', '/api/v2/device-credentials', undefined, auth)).status).toBe(200);
      const res = await tenant.json(
        'DELETE',
        '/api/v2/device-credentials/dcr_0000000000000000',
        undefined,
        auth,
      );
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        errorCode: 'insufficient_scope',
        message: expect.stringContaining('delete:device_credentials'),
      });
    });
  });

  describe('DELETE /api/v2/device-credentials/{id}', () => {
    it('revokes at once: 204, then the token is refused and the list no longer shows it', async () => {
      const token = await login('to-delete');
      expect((await delegate(token)).status).toBe(200);
      let id = '';
      await eventually(async () => {
        const match = (await listed()).body.find(
          (c: { device_name: string }) => c.device_name === 'to-delete',
        );
        id = match?.id;
        return id;
      }, 20_000);
      const res = await tenant.management('DELETE', `/device-credentials/${id}`);
      expect(res.status).toBe(204);
      expect((await delegate(token)).body).toEqual(INVALID);
      expect((await listed()).body.map((c: { id: string }) => c.id)).not.toContain(id);
      const refresh = await tenant.form('/oauth/token', {
        grant_type: 'refresh_token',
        client_id: app.client_id,
        refresh_token: token,
      });
      expect(refresh.body).toEqual(INVALID);
    });

    it('is idempotent: a second DELETE is 204 too and records no second event', async () => {
      await login('twice');
      const id = await newestCredential();
      expect((await tenant.management('DELETE', `/device-credentials/${id}`)).status).toBe(204);
      expect((await tenant.management('DELETE', `/device-credentials/${id}`)).status).toBe(204);
      expect(await revocationsOf(id)).toBe(1);
    });

    it('records one TokenRevoked for concurrent DELETEs', async () => {
      await login('concurrent');
      const id = await newestCredential();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => tenant.management('DELETE', `/device-credentials/${id}`)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(204));
      expect(await revocationsOf(id)).toBe(1);
    });

    it('answers 404 with an Auth0-style body for an unknown or malformed id', async () => {
      for (const id of ['dcr_AAAAAAAAAAAAAAAA', 'not-an-id']) {
        const res = await tenant.management('DELETE', `/device-credentials/${id}`);
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({
          statusCode: 404,
          error: 'Not Found',
          errorCode: 'inexistent_device_credential',
          error_description: expect.any(String),
        });
      }
    });
  });

  describe('POST /oauth/revoke (RFC 7009)', () => {
    it('revokes the client’s own token: 200, then refused', async () => {
      const token = await login('revoke-me');
      const res = await tenant.form('/oauth/revoke', { client_id: app.client_id, token });
      expect(res.status).toBe(200);
      expect((await delegate(token)).body).toEqual(INVALID);
    });

    it('answers 200 for an unknown token', async () => {
      expect((await tenant.form('/oauth/revoke', { client_id: app.client_id, token: 'nope' })).status).toBe(
        200,
      );
    });

    it('does not revoke another client’s token (but still answers 200)', async () => {
      const token = await login('not-yours');
      expect((await tenant.form('/oauth/revoke', { client_id: other.client_id, token })).status).toBe(200);
      expect((await delegate(token)).status).toBe(200);
    });

    it('accepts token_type_hint and JSON bodies', async () => {
      const token = await login('json-revoke');
      const res = await tenant.json('POST', '/oauth/revoke', {
        client_id: app.client_id,
        token,
        token_type_hint: 'refresh_token',
      });
      expect(res.status).toBe(200);
      expect((await delegate(token)).status).toBe(403);
    });

    it('authenticates confidential clients', async () => {
      const token = await login('web-device', web.client_id, { client_secret: web.client_secret! });
      expect((await tenant.form('/oauth/revoke', { client_id: web.client_id, token })).status).toBe(401);
      expect(
        (await tenant.form('/oauth/revoke', { client_id: web.client_id, client_secret: 'wrong', token }))
          .status,
      ).toBe(401);
      expect(
        (
          await tenant.form('/oauth/revoke', {
            client_id: web.client_id,
            client_secret: web.client_secret!,
            token,
          })
        ).status,
      ).toBe(200);
      const refresh = await tenant.form('/oauth/token', {
        grant_type: 'refresh_token',
        client_id: web.client_id,
        client_secret: web.client_secret!,
        refresh_token: token,
      });
      expect(refresh.body).toEqual(INVALID);
    });

    it('refuses a request without token, and a bad hint', async () => {
      expect((await tenant.form('/oauth/revoke', { client_id: app.client_id })).body.error).toBe(
        'invalid_request',
      );
      expect(
        (
          await tenant.form('/oauth/revoke', {
            client_id: app.client_id,
            token: 'x',
            token_type_hint: 'id_token',
          })
        ).status,
      ).toBe(400);
    });
  });

  describe('blocking a user', () => {
    it('revokes all of the user’s tokens, on every device and client', async () => {
      const victim = await tenant.createUser(`blocked-${randomUUID().slice(0, 8)}@example.com`, password);
      const issue = (device: string, clientId: string) =>
        tenant
          .form('/oauth/token', {
            grant_type: 'password',
            client_id: clientId,
            username: victim.email,
            password,
            scope: 'openid offline_access',
            device,
          })
          .then((r) => r.body.refresh_token as string);
      const tokens = [
        await issue('a', app.client_id),
        await issue('b', app.client_id),
        await issue('c', other.client_id),
      ];
      await tenant.management('PATCH', `/users/${encodeURIComponent(victim.user_id)}`, { blocked: true });
      await tenant.management('PATCH', `/users/${encodeURIComponent(victim.user_id)}`, { blocked: false });
      // Unblocking does not bring revoked tokens back.
      expect((await delegate(tokens[0])).body).toEqual(INVALID);
      expect((await delegate(tokens[1])).body).toEqual(INVALID);
      expect((await delegate(tokens[2], other.client_id)).body).toEqual(INVALID);
    });
  });

  /** The credential just issued: the user's newest TokenIssued. */
  async function newestCredential(): Promise<string> {
    const { DataSource } = await import('typeorm');
    const db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
    try {
      const [row] = await db.query(
        `SELECT stream_id FROM events WHERE type = 'TokenIssued' AND data->>'user_id' = $1 ORDER BY global_position DESC LIMIT 1`,
        [user.user_id],
      );
      return row.stream_id;
    } finally {
      await db.destroy();
    }
  }

  async function revocationsOf(id: string): Promise<number> {
    const { DataSource } = await import('typeorm');
    const db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
    try {
      return (
        await db.query(
          `SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type = 'TokenRevoked'`,
          [id],
        )
      )[0].n;
    } finally {
      await db.destroy();
    }
  }
});
