import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { hashSecret, SecretKeys } from '@libs/security';
import {
  ClientAuthentication,
  ClientCache,
  ClientSecrets,
  newClientId,
  newClientSecret,
} from '@libs/tenants';
import { ClientSecretResealer } from './client-secret.resealer';
import { managementErrorBody, useManagementApi, type ManagementApi } from '@libs/testing';

// Auth0's refresh_token object of a client that never set one: no rotation, no expiry.
const LEGACY_POLICY = {
  rotation_type: 'non-rotating',
  expiration_type: 'non-expiring',
  leeway: 0,
  token_lifetime: 31_557_600,
  infinite_token_lifetime: true,
  idle_token_lifetime: 2_592_000,
  infinite_idle_token_lifetime: true,
};

describe('Management API v2: /api/v2/clients (HTTP, real PostgreSQL)', () => {
  const api = useManagementApi();
  const { bearer } = api;
  const errorBody = managementErrorBody;
  let http: ManagementApi['http'];
  let clients: ManagementApi['clients'];
  let issuer: ManagementApi['issuer'];
  beforeAll(() => ({ http, clients, issuer } = api));

  it('issue 19 finding 2: hashes scrypt secrets of before anew, from the sealed copy at boot, else at the first successful authentication', async () => {
    const keys = api.app.get(SecretKeys);
    const legacy = async (sealed: boolean) => {
      const clientId = newClientId();
      const secret = newClientSecret();
      await clients.create({
        clientId,
        name: 'Legacy',
        description: '',
        appType: 'regular_web',
        callbacks: [],
        webOrigins: [],
        allowedOrigins: [],
        grantTypes: ['client_credentials'],
        tokenEndpointAuthMethod: 'client_secret_post',
        clientSecretHash: await hashSecret(secret),
        clientSecretCipher: sealed ? keys.sealClientSecret(clientId, secret) : null,
        idTokenLifetimeSeconds: 36_000,
        idTokenAlg: 'RS256',
        managementScopes: [],
        refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY },
      });
      return { clientId, secret };
    };
    const current = new RegExp(`^hmac-sha256\\$${keys.keyId}\\$`);
    const storedHash = async (clientId: string) => (await clients.findById(clientId))!.clientSecretHash;
    const [sealed, unsealed] = [await legacy(true), await legacy(false)];

    const outcome = await api.app.get(ClientSecretResealer).rehash();
    expect(outcome.pending).toContain(unsealed.clientId);
    expect(outcome.pending).not.toContain(sealed.clientId);
    expect(await storedHash(sealed.clientId)).toMatch(current);
    expect(await storedHash(unsealed.clientId)).toMatch(/^scrypt\$/);

    const request = { headers: {}, ip: '192.0.2.9' } as unknown as Request;
    const authenticate = (clientId: string, secret: string) =>
      api.app.get(ClientAuthentication).authenticate(request, { client_id: clientId, client_secret: secret });
    await expect(authenticate(unsealed.clientId, 'wrong')).rejects.toMatchObject({ error: 'invalid_client' });
    expect(await storedHash(unsealed.clientId)).toMatch(/^scrypt\$/);
    await expect(authenticate(unsealed.clientId, unsealed.secret)).resolves.toMatchObject({
      confidential: true,
    });
    expect(await storedHash(unsealed.clientId)).toMatch(current);
    api.app.get(ClientCache).forget(unsealed.clientId);
    await expect(authenticate(unsealed.clientId, unsealed.secret)).resolves.toMatchObject({
      confidential: true,
    });
    await expect(authenticate(sealed.clientId, sealed.secret)).resolves.toMatchObject({ confidential: true });
  });

  it('creates a confidential client and returns its secret once; GETs never do', async () => {
    const created = await http
      .post('/api/v2/clients')
      .set('Authorization', await bearer('create:clients'))
      .send({ name: 'Backend', callbacks: ['https://app.example.com/callback'] })
      .expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
      name: 'Backend',
      description: '',
      app_type: 'regular_web',
      callbacks: ['https://app.example.com/callback'],
      web_origins: [],
      allowed_origins: [],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      jwt_configuration: { lifetime_in_seconds: 36000, alg: 'RS256' },
      management_api_scopes: [],
      refresh_token: LEGACY_POLICY,
      require_proof_of_possession: false,
      allowed_clients: [],
      is_first_party: true,
      oidc_conformant: true,
    });
    const { client_id, client_secret } = created.body as { client_id: string; client_secret: string };

    const stored = (await clients.findById(client_id))!;
    // Issue 19, finding 2: a keyed hash (HMAC under a key of SERVER_SECRET), not scrypt.
    expect(stored.clientSecretHash).toMatch(/^hmac-sha256\$[0-9a-f]{8}\$/);
    expect((await api.app.get(ClientSecrets).verify(stored, client_secret)).verified).toBe(true);

    const auth = await bearer('read:clients');
    const one = await http.get(`/api/v2/clients/${client_id}`).set('Authorization', auth).expect(200);
    const { client_secret: _secret, ...withoutSecret } = created.body as Record<string, unknown>;
    expect(one.body).toEqual(withoutSecret);
    const all = await http.get('/api/v2/clients?per_page=100').set('Authorization', auth).expect(200);
    for (const text of [JSON.stringify(one.body), JSON.stringify(all.body)]) {
      expect(text).not.toContain(client_secret);
      expect(text).not.toContain('"client_secret"');
      expect(text).not.toContain('scrypt');
    }
  });

  it('creates a public native client with a custom-scheme callback and no secret', async () => {
    const res = await http
      .post('/api/v2/clients')
      .set('Authorization', await bearer('create:clients'))
      .send({
        name: 'Mobile',
        app_type: 'native',
        callbacks: ['com.example.app://callback'],
        jwt_configuration: { lifetime_in_seconds: 600, alg: 'ES256' },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      app_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
      callbacks: ['com.example.app://callback'],
      jwt_configuration: { lifetime_in_seconds: 600, alg: 'ES256' },
    });
    expect(res.body).not.toHaveProperty('client_secret');
    expect(
      (await clients.findById((res.body as { client_id: string }).client_id))?.clientSecretHash,
    ).toBeNull();
  });

  it('creates a machine-to-machine client whose tokens carry only its granted scopes', async () => {
    const res = await http
      .post('/api/v2/clients')
      .set('Authorization', await bearer('create:clients', 'read:users'))
      .send({ name: 'Reporting', app_type: 'non_interactive', management_api_scopes: ['read:users'] })
      .expect(201);
    const created = (await clients.findById((res.body as { client_id: string }).client_id))!;
    const issued = await issuer.issue(created);
    expect(issued.scope).toBe('read:users');
    await http.get('/api/v2/users').set('Authorization', `Bearer ${issued.access_token}`).expect(200);
    await http
      .post('/api/v2/users')
      .set('Authorization', `Bearer ${issued.access_token}`)
      .send({})
      .expect(403);
  });

  it.each([
    ['no name', {}, /Missing required property: name/],
    ['an unknown field', { name: 'A', logo_uri: 'https://x' }, /Additional properties not allowed: logo_uri/],
    ['an unknown app_type', { name: 'A', app_type: 'desktop' }, /app_type/],
    ['a number for name', { name: 42 }, /on property name/],
    ['a 10 000-character name', { name: 'x'.repeat(10_000) }, /name must be shorter than or equal to 128/],
    ['a name with <>', { name: '<script>' }, /name must not contain/],
    [
      'a custom scheme for a web app',
      { name: 'A', callbacks: ['com.example.app://callback'] },
      /only for native/,
    ],
    ['a callback with a fragment', { name: 'A', callbacks: ['https://app.example.com/cb#x'] }, /fragment/],
    ['a string for callbacks', { name: 'A', callbacks: 'https://app.example.com/cb' }, /callbacks/],
    ['none for a web app', { name: 'A', token_endpoint_auth_method: 'none' }, /token_endpoint_auth_method/],
    [
      'client_credentials for a spa',
      { name: 'A', app_type: 'spa', grant_types: ['client_credentials'] },
      /grant_types/,
    ],
    ['an unknown grant', { name: 'A', grant_types: ['implicit'] }, /grant_types/],
    ['a zero lifetime', { name: 'A', jwt_configuration: { lifetime_in_seconds: 0 } }, /lifetime_in_seconds/],
    [
      'a lifetime over 30 days',
      { name: 'A', jwt_configuration: { lifetime_in_seconds: 2_592_001 } },
      /lifetime_in_seconds/,
    ],
    [
      'alg HS256 for a public client (no secret to sign with)',
      { name: 'A', app_type: 'native', jwt_configuration: { alg: 'HS256' } },
      /jwt_configuration\.alg/,
    ],
    ['an unknown alg', { name: 'A', jwt_configuration: { alg: 'HS512' } }, /jwt_configuration\.alg/],
    ['an unknown scope', { name: 'A', management_api_scopes: ['read:everything'] }, /management_api_scopes/],
    [
      'scopes without client_credentials',
      { name: 'A', app_type: 'native', management_api_scopes: ['read:users'] },
      /management_api_scopes/,
    ],
  ])('refuses %s with 400 invalid_body naming the field', async (_label, body, message) => {
    const res = await http
      .post('/api/v2/clients')
      .set('Authorization', await bearer('create:clients', 'read:users'))
      .send(body)
      .expect(400);
    expect(res.body).toEqual(errorBody(400, 'Bad Request', 'invalid_body', message));
  });

  describe('refresh_token: the refresh-token policy (issue 13)', () => {
    const ROTATING = { rotation_type: 'rotating', expiration_type: 'expiring' };

    const create = async (refresh_token?: object) =>
      http
        .post('/api/v2/clients')
        .set('Authorization', await bearer('create:clients'))
        .send({ name: 'Policy', app_type: 'native', ...(refresh_token && { refresh_token }) });
    const patch = async (id: string, body: object) =>
      http
        .patch(`/api/v2/clients/${id}`)
        .set('Authorization', await bearer('update:clients'))
        .send(body);
    const read = async (id: string) =>
      (
        await http
          .get(`/api/v2/clients/${id}`)
          .set('Authorization', await bearer('read:clients'))
          .expect(200)
      ).body as { refresh_token: object };

    it('stores the policy given at creation, filling omitted fields with the legacy defaults', async () => {
      const res = await create({
        ...ROTATING,
        leeway: 30,
        token_lifetime: 86_400,
        infinite_token_lifetime: false,
      });
      expect(res.status).toBe(201);
      const policy = {
        ...LEGACY_POLICY,
        ...ROTATING,
        leeway: 30,
        token_lifetime: 86_400,
        infinite_token_lifetime: false,
      };
      const { client_id } = res.body as { client_id: string; refresh_token: object };
      expect(res.body).toMatchObject({ refresh_token: policy });
      expect(await read(client_id)).toMatchObject({ refresh_token: policy });
      // The credentials lib reads it from here at issuance.
      expect((await clients.findById(client_id))?.refreshToken).toEqual(policy);
    });

    it('gives a client without a stored policy (NULL: created before issue 13) the legacy defaults', async () => {
      const { client_id } = (await create()).body as { client_id: string };
      expect((await read(client_id)).refresh_token).toEqual(LEGACY_POLICY);
      await api.app
        .get(DataSource)
        .query(`UPDATE clients SET refresh_token = NULL WHERE client_id = $1`, [client_id]);
      expect((await clients.findById(client_id))?.refreshToken).toEqual(LEGACY_POLICY);
      expect((await read(client_id)).refresh_token).toEqual(LEGACY_POLICY);
    });

    it('merges a PATCH into the current policy field by field, and keeps it when a PATCH leaves it out', async () => {
      // Issue 19 finding 5: a rotating policy needs a lifetime that ends.
      const finite = { token_lifetime: 86_400, infinite_token_lifetime: false };
      const { client_id } = (await create({ ...ROTATING, ...finite, leeway: 10, idle_token_lifetime: 3_600 }))
        .body as { client_id: string };
      const changed = await patch(client_id, {
        refresh_token: { ...ROTATING, infinite_idle_token_lifetime: false },
      }).then((res) => res.body as { refresh_token: object });
      const merged = {
        ...LEGACY_POLICY,
        ...ROTATING,
        ...finite,
        leeway: 10,
        idle_token_lifetime: 3_600,
        infinite_idle_token_lifetime: false,
      };
      expect(changed.refresh_token).toEqual(merged);
      await patch(client_id, { name: 'Renamed' }).then((res) => expect(res.status).toBe(200));
      expect(await read(client_id)).toMatchObject({ refresh_token: merged });
      await patch(client_id, {
        refresh_token: { rotation_type: 'non-rotating', expiration_type: 'non-expiring' },
      });
      expect((await read(client_id)).refresh_token).toEqual({
        ...merged,
        rotation_type: 'non-rotating',
        expiration_type: 'non-expiring',
      });
    });

    it.each([
      [
        'no rotation_type',
        { expiration_type: 'expiring' },
        /Missing required property: refresh_token\.rotation_type/,
      ],
      [
        'no expiration_type',
        { rotation_type: 'rotating' },
        /Missing required property: refresh_token\.expiration_type/,
      ],
      [
        'an unknown rotation_type',
        { ...ROTATING, rotation_type: 'sometimes' },
        /refresh_token\.rotation_type/,
      ],
      [
        'an unknown field',
        { ...ROTATING, policies: [] },
        /Additional properties not allowed: refresh_token\.policies/,
      ],
      ['a negative leeway', { ...ROTATING, leeway: -1 }, /refresh_token\.leeway/],
      ['a fractional leeway', { ...ROTATING, leeway: 1.5 }, /refresh_token\.leeway/],
      ['a zero token_lifetime', { ...ROTATING, token_lifetime: 0 }, /refresh_token\.token_lifetime/],
      [
        'a token_lifetime over 5 years',
        { ...ROTATING, token_lifetime: 157_788_001 },
        /refresh_token\.token_lifetime/,
      ],
      [
        'a zero idle_token_lifetime',
        { ...ROTATING, idle_token_lifetime: 0 },
        /refresh_token\.idle_token_lifetime/,
      ],
      [
        'a string for a boolean',
        { ...ROTATING, infinite_token_lifetime: 'false' },
        /refresh_token\.infinite_token_lifetime/,
      ],
      ['a string for the object', 'rotating', /refresh_token/],
      [
        'rotation without expiration',
        { rotation_type: 'rotating', expiration_type: 'non-expiring' },
        /expiration_type must be "expiring" when rotation_type is "rotating".*on property refresh_token/,
      ],
      [
        'an idle lifetime above the absolute one',
        {
          ...ROTATING,
          token_lifetime: 3_600,
          infinite_token_lifetime: false,
          idle_token_lifetime: 7_200,
          infinite_idle_token_lifetime: false,
        },
        /idle_token_lifetime must not be greater than token_lifetime/,
      ],
    ])('refuses %s with 400 invalid_body, on POST and PATCH', async (_label, refresh_token, message) => {
      const created = await create(refresh_token as object);
      expect({ status: created.status, body: created.body as unknown }).toEqual({
        status: 400,
        body: errorBody(400, 'Bad Request', 'invalid_body', message),
      });
      const { client_id } = (await create()).body as { client_id: string };
      const patched = await patch(client_id, { refresh_token });
      expect({ status: patched.status, body: patched.body as unknown }).toEqual({
        status: 400,
        body: errorBody(400, 'Bad Request', 'invalid_body', message),
      });
      expect((await read(client_id)).refresh_token).toEqual(LEGACY_POLICY);
    });

    it('refuses a PATCH whose merge breaks a rule (an idle lifetime kept above a new absolute one)', async () => {
      const { client_id } = (
        await create({ ...ROTATING, idle_token_lifetime: 7_200, infinite_idle_token_lifetime: false })
      ).body as { client_id: string };
      const res = await patch(client_id, {
        refresh_token: { ...ROTATING, token_lifetime: 3_600, infinite_token_lifetime: false },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        message: /idle_token_lifetime must not be greater than token_lifetime/,
      });
    });
  });

  it('refuses __proto__ keys, array bodies and malformed JSON with 400', async () => {
    const auth = await bearer('create:clients');
    const proto = await http
      .post('/api/v2/clients')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send('{"name":"A","__proto__":{"isAdmin":true}}')
      .expect(400);
    expect(proto.body).toEqual(errorBody(400, 'Bad Request', 'invalid_body', /__proto__/));
    const array = await http
      .post('/api/v2/clients')
      .set('Authorization', auth)
      .send([{ name: 'A' }])
      .expect(400);
    expect(array.body).toMatchObject({ errorCode: 'invalid_body' });
    await http
      .post('/api/v2/clients')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send('{"name":')
      .expect(400);
  });

  it('answers 404 inexistent_client for an unknown id', async () => {
    const res = await http
      .get('/api/v2/clients/nope')
      .set('Authorization', await bearer('read:clients'))
      .expect(404);
    expect(res.body).toEqual(errorBody(404, 'Not Found', 'inexistent_client', 'The client does not exist.'));
  });

  it("lists a page with Auth0's totals envelope, fields and a type filter", async () => {
    const auth = await bearer('read:clients');
    const res = await http
      .get('/api/v2/clients?include_totals=true&per_page=2&page=0&fields=client_id,app_type')
      .set('Authorization', auth)
      .expect(200);
    const body = res.body as {
      start: number;
      limit: number;
      length: number;
      total: number;
      clients: object[];
    };
    expect(body).toMatchObject({ start: 0, limit: 2, length: 2, total: expect.any(Number) });
    expect(body.total).toBeGreaterThanOrEqual(4);
    for (const c of body.clients) expect(Object.keys(c).sort()).toEqual(['app_type', 'client_id']);
    const natives = await http
      .get('/api/v2/clients?app_type=native,spa')
      .set('Authorization', auth)
      .expect(200);
    for (const c of natives.body as Array<{ app_type: string }>)
      expect(['native', 'spa']).toContain(c.app_type);
  });

  it.each([
    ['page=-1'],
    ['per_page=0'],
    ['per_page=abc'],
    ['include_totals=yes'],
    ['app_type=desktop'],
    ['foo=bar'],
    ['__proto__=x'],
    ['page[a]=1'],
  ])('refuses the query %s with 400 invalid_query_string', async (query) => {
    const res = await http
      .get(`/api/v2/clients?${query}`)
      .set('Authorization', await bearer('read:clients'))
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, errorCode: 'invalid_query_string' });
    expect((res.body as { message: string }).message).toMatch(/^Query validation error: /);
  });
});
