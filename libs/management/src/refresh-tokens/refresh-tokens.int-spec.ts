import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { IssueCredential } from '@libs/credentials';
import type { ManagementScope } from '@libs/tenants';
import { managementErrorBody, useManagementApi, type ManagementApi } from '@libs/testing';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Auth0's refresh-token endpoints over HTTP on real PostgreSQL, and the device-credentials list beside
 * them. Tokens are issued through the credentials command (real events); the view row the projector would
 * write for each `TokenIssued` is written here (`project`), and made rotating or expiring by hand.
 */
describe('Management API v2: refresh tokens (HTTP, real PostgreSQL)', () => {
  const api = useManagementApi();
  const { bearer } = api;
  let http: ManagementApi['http'];
  let db: DataSource;
  beforeAll(() => {
    http = api.http;
    db = api.app.get(DataSource);
  });

  const newUser = async () => {
    const res = await http
      .post('/api/v2/users')
      .set('Authorization', await bearer('create:users'))
      .send({
        connection: 'Username-Password-Authentication',
        email: `rt-${Math.random().toString(36).slice(2)}@example.com`,
        password: 'correct horse battery staple',
      })
      .expect(201);
    return (res.body as { user_id: string }).user_id;
  };

  /** Issues a token (its `TokenIssued` only: not in the view yet). */
  const issue = async (userId: string, clientId = 'app-1', deviceName = 'Pixel') =>
    (
      await api.app
        .get(CommandBus)
        .execute(
          new IssueCredential(
            { userId, clientId, deviceName, scope: 'openid offline_access', grant: 'password' },
            { correlationId: 'it' },
          ),
        )
    ).credentialId;

  /** Writes the view row the projector writes for the credential's `TokenIssued`. */
  const project = async (credentialId: string) => {
    await db.query(
      `INSERT INTO device_credentials
         (id, user_id, client_id, device_name, token_hash, scope, grant_type, status, created_at, version)
       SELECT stream_id, data ->> 'user_id', data ->> 'client_id', data ->> 'device_name', data ->> 'token_hash',
              data ->> 'scope', data ->> 'grant', 'active', (data ->> 'issued_at')::timestamptz, 1
         FROM events WHERE stream_id = $1 AND type = 'TokenIssued'`,
      [credentialId],
    );
    return credentialId;
  };
  const issued = async (userId: string, clientId?: string, deviceName?: string) =>
    project(await issue(userId, clientId, deviceName));
  const setView = (credentialId: string, set: string, params: unknown[] = []) =>
    db.query(`UPDATE device_credentials SET ${set} WHERE id = $1`, [credentialId, ...params]);
  const revocations = async (credentialId: string) =>
    (
      await db.query<{ data: { reason: string; actor: string } }[]>(
        `SELECT data FROM events WHERE stream_id = $1 AND type = 'TokenRevoked'`,
        [credentialId],
      )
    ).map((row) => row.data);

  /** Calls the API with a token holding `scopes`, expecting `status`. */
  const call = async (method: 'get' | 'delete', path: string, status: number, scopes: ManagementScope[]) => {
    const res = await http[method](path).set('Authorization', await bearer(...scopes));
    expect({ path, status: res.status }).toEqual({ path, status });
    return res;
  };
  const get = (path: string, status = 200, ...scopes: ManagementScope[]) =>
    call('get', path, status, scopes.length ? scopes : ['read:refresh_tokens']);
  const del = (path: string, status = 202, ...scopes: ManagementScope[]) =>
    call('delete', path, status, scopes.length ? scopes : ['delete:refresh_tokens']);
  const userTokens = (userId: string, query = '', status = 200) =>
    get(`/api/v2/users/${encodeURIComponent(userId)}/refresh-tokens${query}`, status);
  const idsOf = (body: unknown, key = 'tokens') =>
    (body as Record<string, Array<{ id: string }>>)[key].map((t) => t.id);

  describe('GET /api/v2/users/{id}/refresh-tokens and /api/v2/refresh-tokens/{id}', () => {
    it("answers Auth0's refresh token object, never the token or its hash", async () => {
      const userId = await newUser();
      const id = await issued(userId, 'app-1', 'Ada’s Pixel');
      const [row] = await db.query<{ created_at: Date; token_hash: string }[]>(
        `SELECT created_at, token_hash FROM device_credentials WHERE id = $1`,
        [id],
      );
      const token = {
        id,
        user_id: userId,
        created_at: row.created_at.toISOString(),
        idle_expires_at: null,
        expires_at: null,
        device: { device_name: 'Ada’s Pixel' },
        client_id: 'app-1',
        session_id: null,
        rotating: false,
        resource_servers: [],
        last_exchanged_at: null,
      };
      const list = await userTokens(userId);
      expect(list.body).toEqual({ tokens: [token] });
      const one = await get(`/api/v2/refresh-tokens/${id}`);
      expect(one.body).toEqual(token);
      expect(JSON.stringify([list.body, one.body])).not.toContain(row.token_hash);
    });

    it('shows the terms of a rotating, expiring token: absolute end, idle end from the last exchange', async () => {
      const userId = await newUser();
      const id = await issued(userId);
      const lastUse = new Date(Date.now() - 60_000);
      const end = new Date(Date.now() + 86_400_000);
      await setView(
        id,
        'rotating = true, leeway = 5, expires_at = $2, idle_lifetime = 3600, last_used_at = $3',
        [end, lastUse],
      );
      const res = await get(`/api/v2/refresh-tokens/${id}`);
      expect(res.body).toMatchObject({
        rotating: true,
        expires_at: end.toISOString(),
        idle_expires_at: new Date(lastUse.getTime() + 3_600_000).toISOString(),
        last_exchanged_at: lastUse.toISOString(),
      });
      // Never exchanged: the idle end counts from the issuance.
      await setView(id, 'last_used_at = NULL');
      const { created_at, idle_expires_at } = (await get(`/api/v2/refresh-tokens/${id}`)).body as {
        created_at: string;
        idle_expires_at: string;
      };
      expect(idle_expires_at).toMatch(ISO);
      expect(Date.parse(idle_expires_at) - Date.parse(created_at)).toBe(3_600_000);
    });

    it('pages by id with from/take: next only while more follow, every token exactly once', async () => {
      const userId = await newUser();
      const ids = [];
      for (const device of ['a', 'b', 'c', 'd', 'e']) ids.push(await issued(userId, 'app-1', device));
      const sorted = [...ids].sort();
      expect(idsOf((await userTokens(userId)).body)).toEqual(sorted);

      const first = (await userTokens(userId, '?take=2')).body as { next?: string };
      expect(idsOf(first)).toEqual(sorted.slice(0, 2));
      expect(first.next).toBe(sorted[1]);
      const second = (await userTokens(userId, `?take=2&from=${first.next}`)).body as {
        next?: string;
      };
      expect(idsOf(second)).toEqual(sorted.slice(2, 4));
      const last = (await userTokens(userId, `?take=2&from=${second.next}`)).body;
      expect(last).toEqual({ tokens: [expect.objectContaining({ id: sorted[4] })] });
      // A page that ends exactly at the last token says there is no next one.
      expect((await userTokens(userId, '?take=5')).body).not.toHaveProperty('next');
      expect(idsOf((await userTokens(userId, `?from=${sorted[4]}`)).body)).toEqual([]);
    });

    it('lists only the tokens in force: not revoked, not expired (recorded or past their end), not another user’s', async () => {
      const userId = await newUser();
      const kept = await issued(userId);
      const revoked = await issued(userId);
      const statusExpired = await issued(userId);
      const pastEnd = await issued(userId);
      const idle = await issued(userId);
      const expiredEvent = await issued(userId);
      await issued(await newUser());
      await setView(revoked, `status = 'revoked', revoked_at = now()`);
      await setView(statusExpired, `status = 'expired', expired_at = now()`);
      await setView(pastEnd, `expires_at = now() - interval '1 second'`);
      await setView(idle, `idle_lifetime = 60, last_used_at = now() - interval '61 seconds'`);
      // A TokenExpired the projector has not applied yet counts already.
      await db.query(
        `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, occurred_at,
                             correlation_id, hash, data)
         SELECT gen_random_uuid(), stream_id, 2, 'TokenExpired', 1, now(), 'it', 'it', data
           FROM events WHERE stream_id = $1`,
        [expiredEvent],
      );

      expect(idsOf((await userTokens(userId)).body)).toEqual([kept]);
      for (const id of [revoked, statusExpired, pastEnd, idle, expiredEvent]) {
        const res = await get(`/api/v2/refresh-tokens/${id}`, 404);
        expect(res.body).toEqual(
          managementErrorBody(
            404,
            'Not Found',
            'inexistent_refresh_token',
            'The refresh token does not exist.',
          ),
        );
      }
    });

    it('answers 404 for an unknown token id and for an unknown user', async () => {
      for (const id of ['dcr_0000000000000000', 'nope', 'x'.repeat(300)]) {
        const res = await get(`/api/v2/refresh-tokens/${id}`, 404);
        expect(res.body).toMatchObject({ errorCode: 'inexistent_refresh_token' });
      }
      const res = await userTokens('auth0|000000000000000000000000', '', 404);
      expect(res.body).toMatchObject({ errorCode: 'inexistent_user' });
    });

    it.each([
      ['take=0'],
      ['take=101'],
      ['take=ten'],
      ['from=' + 'x'.repeat(65)],
      ['client_id=app-1'],
      ['page=0'],
    ])('refuses the query %s with 400 invalid_query_string', async (query) => {
      const userId = await newUser();
      const res = await userTokens(userId, `?${query}`, 400);
      expect(res.body).toMatchObject({ errorCode: 'invalid_query_string' });
    });
  });

  describe('GET /api/v2/refresh-tokens?user_id=', () => {
    it("lists a user's tokens, of one application with client_id, with fields", async () => {
      const userId = await newUser();
      const one = await issued(userId, 'app-1');
      const two = await issued(userId, 'app-2');
      const all = await get(`/api/v2/refresh-tokens?user_id=${encodeURIComponent(userId)}`);
      expect(idsOf(all.body, 'refresh_tokens')).toEqual([one, two].sort());
      const ofApp = await get(
        `/api/v2/refresh-tokens?user_id=${encodeURIComponent(userId)}&client_id=app-2&fields=id,client_id`,
      );
      expect(ofApp.body).toEqual({ refresh_tokens: [{ id: two, client_id: 'app-2' }] });
      const paged = await get(`/api/v2/refresh-tokens?user_id=${encodeURIComponent(userId)}&take=1`);
      expect(paged.body).toMatchObject({ next: [one, two].sort()[0] });
    });

    it('requires user_id', async () => {
      const res = await get('/api/v2/refresh-tokens?client_id=app-1', 400);
      expect(res.body).toMatchObject({
        errorCode: 'invalid_query_string',
        message: expect.stringMatching(/Missing required property: user_id/),
      });
    });
  });

  describe('revocation', () => {
    it('DELETE /api/v2/refresh-tokens/{id}: 202 once its TokenRevoked is durable; gone from every read', async () => {
      const userId = await newUser();
      const id = await issued(userId);
      const other = await issued(userId);
      await del(`/api/v2/refresh-tokens/${id}`);
      expect(await revocations(id)).toEqual([
        expect.objectContaining({ reason: 'management_api', actor: 'mgmt-test-client@clients' }),
      ]);
      // The projector has not applied it (the view still says active): the reads go by the event.
      await get(`/api/v2/refresh-tokens/${id}`, 404);
      expect(idsOf((await userTokens(userId)).body)).toEqual([other]);

      // Again: nothing more to record, still 202 (as DELETE /api/v2/device-credentials/{id} answers).
      await del(`/api/v2/refresh-tokens/${id}`);
      expect(await revocations(id)).toHaveLength(1);
      expect(await revocations(other)).toEqual([]);
    });

    it('DELETE /api/v2/refresh-tokens/{id}: 404 for an id no credential has', async () => {
      for (const id of ['dcr_0000000000000000', 'nope']) {
        const res = await del(`/api/v2/refresh-tokens/${id}`, 404);
        expect(res.body).toMatchObject({ errorCode: 'inexistent_refresh_token' });
      }
    });

    it("DELETE /api/v2/users/{id}/refresh-tokens: every token of the user, projected or not, and no one else's", async () => {
      const userId = await newUser();
      const projected = [await issued(userId, 'app-1'), await issued(userId, 'app-2')];
      const notProjected = await issue(userId, 'app-1');
      const otherUsers = await issued(await newUser());
      await del(`/api/v2/users/${encodeURIComponent(userId)}/refresh-tokens`);
      for (const id of [...projected, notProjected]) {
        expect(await revocations(id)).toEqual([expect.objectContaining({ reason: 'management_api' })]);
      }
      expect(await revocations(otherUsers)).toEqual([]);
      expect((await userTokens(userId)).body).toEqual({ tokens: [] });
      const unknown = await del('/api/v2/users/auth0%7C000000000000000000000000/refresh-tokens', 404);
      expect(unknown.body).toMatchObject({ errorCode: 'inexistent_user' });
    });

    it('POST /api/v2/refresh-tokens/revoke: a user’s tokens of one application, or listed ids', async () => {
      const userId = await newUser();
      const [a1, a2] = [await issued(userId, 'app-1'), await issue(userId, 'app-1')];
      const [b1, b2] = [await issued(userId, 'app-2'), await issued(userId, 'app-2')];
      const revoke = async (body: object) =>
        http
          .post('/api/v2/refresh-tokens/revoke')
          .set('Authorization', await bearer('delete:refresh_tokens'))
          .send(body);

      expect((await revoke({ user_id: userId, client_id: 'app-1' })).status).toBe(202);
      expect((await revocations(a1)).length + (await revocations(a2)).length).toBe(2);
      expect((await revocations(b1)).length + (await revocations(b2)).length).toBe(0);

      expect((await revoke({ ids: [b1, 'dcr_0000000000000000', 'nope', b1] })).status).toBe(202);
      expect(await revocations(b1)).toHaveLength(1);
      expect(await revocations(b2)).toEqual([]);
      expect((await revoke({ user_id: userId })).status).toBe(202);
      expect(await revocations(b2)).toHaveLength(1);
    });

    it.each([
      ['nothing', {}, /One of ids or user_id is required/],
      ['client_id alone', { client_id: 'app-1' }, /client_id requires user_id/],
      ['ids with user_id', { ids: ['dcr_0000000000000000'], user_id: 'auth0|x' }, /ids cannot be combined/],
      ['no ids', { ids: [] }, /on property ids/],
      ['101 ids', { ids: Array.from({ length: 101 }, (_, i) => `dcr_${i}`) }, /on property ids/],
      [
        'an audience',
        { user_id: 'auth0|x', audience: 'https://api.example.com' },
        /Additional properties not allowed: audience/,
      ],
    ])(
      'POST /api/v2/refresh-tokens/revoke refuses %s with 400 invalid_body',
      async (_label, body, message) => {
        const res = await http
          .post('/api/v2/refresh-tokens/revoke')
          .set('Authorization', await bearer('delete:refresh_tokens'))
          .send(body)
          .expect(400);
        expect(res.body).toEqual(managementErrorBody(400, 'Bad Request', 'invalid_body', message));
      },
    );
  });

  describe('scopes', () => {
    it('reads need read:refresh_tokens, revocations delete:refresh_tokens (device_credentials scopes do not do)', async () => {
      const userId = await newUser();
      const id = await issued(userId);
      const reads = [
        `/api/v2/refresh-tokens/${id}`,
        `/api/v2/users/${encodeURIComponent(userId)}/refresh-tokens`,
      ];
      for (const path of reads) {
        const res = await get(path, 403, 'read:device_credentials', 'read:users', 'delete:refresh_tokens');
        expect(res.body).toMatchObject({
          errorCode: 'insufficient_scope',
          message: 'Insufficient scope, expected any of: read:refresh_tokens',
        });
      }
      await get(
        `/api/v2/refresh-tokens?user_id=${encodeURIComponent(userId)}`,
        403,
        'read:device_credentials',
      );
      for (const path of [
        `/api/v2/refresh-tokens/${id}`,
        `/api/v2/users/${encodeURIComponent(userId)}/refresh-tokens`,
      ]) {
        const res = await del(path, 403, 'delete:device_credentials', 'delete:users', 'read:refresh_tokens');
        expect(res.body).toMatchObject({
          message: 'Insufficient scope, expected any of: delete:refresh_tokens',
        });
      }
      await http
        .post('/api/v2/refresh-tokens/revoke')
        .set('Authorization', await bearer('delete:device_credentials'))
        .send({ ids: [id] })
        .expect(403);
      expect(await revocations(id)).toEqual([]);
      await http.get(`/api/v2/refresh-tokens/${id}`).expect(401);
    });
  });

  describe('GET /api/v2/device-credentials', () => {
    it('types rotating tokens rotating_refresh_token, filters by type, and lists only the tokens in force', async () => {
      const userId = await newUser();
      const plain = await issued(userId, 'app-1', 'Phone');
      const rotating = await issued(userId, 'app-1', 'Browser');
      const expired = await issued(userId, 'app-1', 'Old');
      await setView(rotating, 'rotating = true');
      await setView(expired, `expires_at = now() - interval '1 second'`);
      const list = async (query = '') =>
        (
          await get(
            `/api/v2/device-credentials?user_id=${encodeURIComponent(userId)}${query}`,
            200,
            'read:device_credentials',
          )
        ).body as unknown;

      expect(await list()).toEqual([
        {
          id: plain,
          device_name: 'Phone',
          device_id: plain,
          type: 'refresh_token',
          user_id: userId,
          client_id: 'app-1',
        },
        {
          id: rotating,
          device_name: 'Browser',
          device_id: rotating,
          type: 'rotating_refresh_token',
          user_id: userId,
          client_id: 'app-1',
        },
      ]);
      expect(await list('&type=rotating_refresh_token&fields=id')).toEqual([{ id: rotating }]);
      expect(await list('&type=refresh_token&fields=id')).toEqual([{ id: plain }]);
      expect(await list('&type=public_key')).toEqual([]);
      expect(await list('&type=rotating_refresh_token&include_totals=true&fields=type')).toEqual({
        start: 0,
        limit: 50,
        length: 1,
        total: 1,
        device_credentials: [{ type: 'rotating_refresh_token' }],
      });
      expect(await list('&include_totals=true&per_page=1&page=1&fields=id')).toMatchObject({
        total: 2,
        device_credentials: [{ id: rotating }],
      });
    });
  });
});
