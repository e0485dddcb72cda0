import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  MANAGEMENT,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';

jest.setTimeout(120_000);

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PASSWORD = 'correct horse battery staple';
const GRANTS = ['authorization_code', 'refresh_token', JWT_BEARER, 'password'];

/**
 * Issue 20 point 9, the loose ends of the legacy surface, against the running api. No projector runs:
 * what a deleted client's tokens become must not depend on the view having applied them.
 */
describe('issue 20 point 9: loose ends of the legacy surface (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let db: Client;

  const ro = (clientId: string, email: string, fields: Record<string, string> = {}) =>
    tenant.form('/oauth/ro', {
      client_id: clientId,
      username: email,
      password: PASSWORD,
      connection: 'Username-Password-Authentication',
      grant_type: 'password',
      scope: 'openid offline_access',
      device: 'Legacy phone',
      ...fields,
    });
  const newUser = () => tenant.createUser(`loose-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);

  beforeAll(async () => {
    system = await startSystem({ projector: false });
    tenant = new TenantClient(system.url);
    db = new Client({ connectionString: system.db.url });
    await db.connect();
  }, 90_000);
  afterAll(async () => {
    await db?.end();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  it('issue 20 point 9: discovery lists HS256 among the id_token algorithms once an HS256 client exists', async () => {
    const algs = async () =>
      (await tenant.json('GET', '/.well-known/openid-configuration')).body
        .id_token_signing_alg_values_supported as string[];
    expect(await algs()).not.toContain('HS256');
    await tenant.createClient({
      name: 'HS256 app',
      app_type: 'regular_web',
      jwt_configuration: { alg: 'HS256' },
    });
    expect(await algs()).toEqual(expect.arrayContaining(['RS256', 'HS256']));
  });

  describe('issue 20 point 9: DELETE /api/v2/clients/{id}', () => {
    it('revokes every token of the client (one TokenRevoked each, client_deleted) before its 204; they are refused after', async () => {
      const app = await tenant.createClient({ name: 'Doomed app', app_type: 'native', grant_types: GRANTS });
      const other = await tenant.createClient({ name: 'Other app', app_type: 'native', grant_types: GRANTS });
      const [alice, bob] = [await newUser(), await newUser()];
      const tokens: string[] = [];
      for (const [user, device] of [
        [alice, 'Phone'],
        [alice, 'Tablet'],
        [bob, 'Phone'],
      ] as const) {
        const res = await ro(app.client_id, user.email, { device });
        expect(res.status).toBe(200);
        tokens.push(res.body.refresh_token as string);
      }
      const kept = (await ro(other.client_id, alice.email)).body.refresh_token as string;
      // Already revoked: no second TokenRevoked for it.
      const revokedBefore = (await ro(app.client_id, bob.email, { device: 'Old' })).body
        .refresh_token as string;
      expect(
        (await tenant.form('/oauth/revoke', { client_id: app.client_id, token: revokedBefore })).status,
      ).toBe(200);

      const res = await tenant.management('DELETE', `/clients/${app.client_id}`);
      expect(res.status).toBe(204);

      const { rows } = await db.query<{ reason: string; actor: string; n: string }>(
        `SELECT data ->> 'reason' AS reason, data ->> 'actor' AS actor, count(*) AS n FROM events
          WHERE type = 'TokenRevoked' AND data ->> 'client_id' = $1 GROUP BY 1, 2 ORDER BY 1`,
        [app.client_id],
      );
      expect(rows).toEqual([
        { reason: 'client_deleted', actor: `${MANAGEMENT.clientId}@clients`, n: '3' },
        { reason: 'oauth_revoke', actor: expect.any(String), n: '1' },
      ]);
      for (const refreshToken of tokens) {
        const delegation = await tenant.json('POST', '/delegation', {
          client_id: app.client_id,
          grant_type: JWT_BEARER,
          refresh_token: refreshToken,
        });
        expect(delegation.status).toBeGreaterThanOrEqual(400);
        expect(delegation.status).toBeLessThan(500);
        const refresh = await tenant.form('/oauth/token', {
          grant_type: 'refresh_token',
          client_id: app.client_id,
          refresh_token: refreshToken,
        });
        expect(refresh.status).toBeGreaterThanOrEqual(400);
        expect(refresh.status).toBeLessThan(500);
      }
      expect((await tenant.management('GET', `/clients/${app.client_id}`)).status).toBe(404);
      expect(await tenant.management('DELETE', `/clients/${app.client_id}`)).toMatchObject({
        status: 404,
        body: { errorCode: 'inexistent_client' },
      });
      // Another client's tokens stay.
      const delegated = await tenant.json('POST', '/delegation', {
        client_id: other.client_id,
        grant_type: JWT_BEARER,
        refresh_token: kept,
      });
      expect(delegated.status).toBe(200);
    });

    it('refuses to delete the bootstrap Management API client with 403 operation_not_supported', async () => {
      const res = await tenant.management('DELETE', `/clients/${MANAGEMENT.clientId}`);
      expect(res).toMatchObject({ status: 403, body: { errorCode: 'operation_not_supported' } });
      expect((await tenant.management('GET', `/clients/${MANAGEMENT.clientId}`)).status).toBe(200);
    });
  });

  describe('issue 20 point 9: user_metadata and app_metadata in the Management API', () => {
    const create = (body: Record<string, unknown>) =>
      tenant.management('POST', '/users', {
        connection: 'Username-Password-Authentication',
        email: `meta-${randomUUID().slice(0, 8)}@example.com`,
        password: PASSWORD,
        ...body,
      });

    it('sets them on POST, returns them on GET, merges a PATCH by top-level key (null removes, {} clears)', async () => {
      const created = await create({
        user_metadata: { hobby: 'surfing', addresses: { home: '1 Main St' }, dropped: null },
        app_metadata: { plan: 'full', roles: ['writer'] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        user_metadata: { hobby: 'surfing', addresses: { home: '1 Main St' } },
        app_metadata: { plan: 'full', roles: ['writer'] },
      });
      expect(created.body.user_metadata).not.toHaveProperty('dropped');
      const path = `/users/${encodeURIComponent(created.body.user_id as string)}`;

      const patched = await tenant.management('PATCH', path, {
        user_metadata: { addresses: { work: '100 Industrial Way' }, hobby: null, color: 'blue' },
        app_metadata: { roles: ['reader'] },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.user_metadata).toEqual({
        addresses: { work: '100 Industrial Way' },
        color: 'blue',
      });
      expect(patched.body.app_metadata).toEqual({ plan: 'full', roles: ['reader'] });
      // A PATCH that names neither leaves both as they are.
      expect((await tenant.management('PATCH', path, { name: 'Renamed' })).body).toMatchObject({
        user_metadata: { color: 'blue' },
        app_metadata: { plan: 'full' },
      });
      expect((await tenant.management('PATCH', path, { app_metadata: {} })).body.app_metadata).toEqual({});
      expect((await tenant.management('GET', path)).body).toMatchObject({
        user_metadata: { addresses: { work: '100 Industrial Way' }, color: 'blue' },
        app_metadata: {},
      });

      const plain = await create({});
      expect(plain.body).toMatchObject({ user_metadata: {}, app_metadata: {} });
    });

    it.each([
      ['an array', { user_metadata: ['a'] }, /user_metadata/],
      ['a string', { app_metadata: 'plan' }, /app_metadata/],
      ['null', { user_metadata: null }, /user_metadata/],
      ['a key with a dot', { user_metadata: { 'preference.color': 'pink' } }, /neither '\.' nor '\$'/],
      ['a nested key with a dollar', { app_metadata: { a: { $b: 1 } } }, /neither '\.' nor '\$'/],
      ['a NUL in a key', { app_metadata: { 'a\u0000': 1 } }, /app_metadata/],
      ['a NUL in a value', { user_metadata: { a: 'b\u0000' } }, /NUL/],
      ['too large an object', { user_metadata: { a: 'x'.repeat(16_384) } }, /Larger than 16384 bytes/],
      [
        'too deep a nesting',
        { user_metadata: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } } },
        /deep/,
      ],
    ])(
      'refuses %s with 400 invalid_body naming the field, on POST and PATCH',
      async (_label, body, message) => {
        const created = await create(body);
        expect(created).toMatchObject({ status: 400, body: { errorCode: 'invalid_body' } });
        expect(created.body.message).toMatch(message);
        const user = await create({});
        const patched = await tenant.management(
          'PATCH',
          `/users/${encodeURIComponent(user.body.user_id as string)}`,
          body,
        );
        expect(patched).toMatchObject({ status: 400, body: { errorCode: 'invalid_body' } });
      },
    );

    it('refuses a PATCH that would grow the stored object past its bound with 400, keeping the user as it was', async () => {
      const user = await create({ user_metadata: { a: 'x'.repeat(12_000) } });
      const path = `/users/${encodeURIComponent(user.body.user_id as string)}`;
      for (const key of ['b', 'c'])
        await tenant.management('PATCH', path, { user_metadata: { [key]: 'y'.repeat(12_000) } });
      const res = await tenant.management('PATCH', path, { user_metadata: { d: 'z'.repeat(12_000) } });
      expect(res).toMatchObject({ status: 400, body: { errorCode: 'invalid_body' } });
      expect(res.body.message).toMatch(/user_metadata/);
      expect(Object.keys((await tenant.management('GET', path)).body.user_metadata).sort()).toEqual([
        'a',
        'b',
      ]);
    });
  });

  describe('issue 20 point 9: legacy attribute scopes put the attributes in the id_token of a legacy (HS256) client', () => {
    let legacy: { client_id: string; client_secret?: string };
    let conformant: { client_id: string };
    let user: { user_id: string; email: string };

    beforeAll(async () => {
      legacy = await tenant.createClient({
        name: 'Legacy HS256 app',
        app_type: 'regular_web',
        grant_types: GRANTS,
        jwt_configuration: { alg: 'HS256' },
      });
      conformant = await tenant.createClient({ name: 'RS256 app', app_type: 'native', grant_types: GRANTS });
      user = await newUser();
      const patched = await tenant.management('PATCH', `/users/${encodeURIComponent(user.user_id)}`, {
        nickname: 'lovelace',
        user_metadata: { favorite_food: 'pizza' },
        app_metadata: { roles: ['writer'] },
      });
      expect(patched.status).toBe(200);
    });

    it('issue 20 point 9: scope=openid email nickname favorite_food roles names each attribute, at /oauth/ro and /delegation', async () => {
      const scope = 'openid email nickname favorite_food roles offline_access';
      const res = await ro(legacy.client_id, user.email, { scope, client_secret: legacy.client_secret! });
      expect(res.status).toBe(200);
      expect(decodeJwt(res.body.id_token as string)).toMatchObject({
        sub: user.user_id,
        email: user.email,
        email_verified: false,
        nickname: 'lovelace',
        favorite_food: 'pizza',
        roles: ['writer'],
      });
      const delegated = await tenant.json('POST', '/delegation', {
        client_id: legacy.client_id,
        client_secret: legacy.client_secret,
        grant_type: JWT_BEARER,
        refresh_token: res.body.refresh_token,
        scope: 'openid nickname roles',
      });
      expect(delegated.status).toBe(200);
      const claims = decodeJwt(delegated.body.id_token as string);
      expect(claims).toMatchObject({ nickname: 'lovelace', roles: ['writer'] });
      expect(claims).not.toHaveProperty('favorite_food');
    });

    it('issue 20 point 9: scope=openid profile gives the whole profile, metadata included', async () => {
      const res = await ro(legacy.client_id, user.email, {
        scope: 'openid profile',
        client_secret: legacy.client_secret!,
      });
      expect(res.status).toBe(200);
      expect(decodeJwt(res.body.id_token as string)).toMatchObject({
        user_id: user.user_id,
        email: user.email,
        name: expect.any(String),
        nickname: 'lovelace',
        picture: expect.any(String),
        identities: [expect.objectContaining({ provider: 'auth0' })],
        user_metadata: { favorite_food: 'pizza' },
        app_metadata: { roles: ['writer'] },
      });
    });

    it('issue 20 point 9: leaves a conformant (RS256) client’s claims as they were', async () => {
      const res = await ro(conformant.client_id, user.email, {
        scope: 'openid email nickname favorite_food',
      });
      expect(res.status).toBe(200);
      const claims = decodeJwt(res.body.id_token as string);
      expect(claims).toMatchObject({ email: user.email });
      expect(claims).not.toHaveProperty('nickname');
      expect(claims).not.toHaveProperty('favorite_food');
    });
  });
});
