import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { issuerFor, JoseTokenSigner, PostgresKeyStore, TokenSigner } from '@libs/jwt';
import { ClientSecrets, MANAGEMENT_SCOPES, type Client, type ManagementScope } from '@libs/tenants';
import { MANAGEMENT_API, managementErrorBody, useManagementApi, type ManagementApi } from '@libs/testing';
import { ManagementClientSeeder } from './clients/management-client.seeder';

const { publicUrl: PUBLIC_URL, audience: AUDIENCE } = MANAGEMENT_API;
const { clientId: MANAGEMENT_CLIENT_ID, clientSecret: MANAGEMENT_CLIENT_SECRET } = MANAGEMENT_API;

/**
 * The Management API over HTTP, in process: the bootstrap client, its tokens, authentication and scopes,
 * errors. Each resource has its own spec beside its controller (clients, users, signing keys).
 */
describe('Management API v2 (HTTP, real PostgreSQL)', () => {
  const api = useManagementApi();
  const { token, bearer } = api;
  const errorBody = managementErrorBody;
  let http: ManagementApi['http'];
  let app: ManagementApi['app'];
  let config: ManagementApi['config'];
  let issuer: ManagementApi['issuer'];
  let clients: ManagementApi['clients'];
  let managementClient: ManagementApi['managementClient'];
  beforeAll(() => ({ http, app, config, issuer, clients, managementClient } = api));
  const verified = async (client: Client, secret: string) =>
    (await app.get(ClientSecrets).verify(client, secret)).verified;

  describe('bootstrap management client', () => {
    it('is seeded at boot: non_interactive, client_secret_post, client_credentials, every Management scope', async () => {
      expect(managementClient).toMatchObject({
        clientId: MANAGEMENT_CLIENT_ID,
        appType: 'non_interactive',
        tokenEndpointAuthMethod: 'client_secret_post',
        grantTypes: ['client_credentials'],
        managementScopes: [...MANAGEMENT_SCOPES],
      });
      expect(await verified(managementClient, MANAGEMENT_CLIENT_SECRET)).toBe(true);
    });

    it('keeps the hash while the configured secret verifies, and re-hashes when it changed', async () => {
      await app.get(ManagementClientSeeder).seed();
      expect((await clients.findById(MANAGEMENT_CLIENT_ID))?.clientSecretHash).toBe(
        managementClient.clientSecretHash,
      );

      const rotated = {
        ...config,
        managementClient: { clientId: MANAGEMENT_CLIENT_ID, clientSecret: 'a-brand-new-secret-value' },
      };
      await new ManagementClientSeeder(clients, rotated, app.get(ClientSecrets)).seed();
      const after = (await clients.findById(MANAGEMENT_CLIENT_ID))!;
      expect(await verified(after, 'a-brand-new-secret-value')).toBe(true);
      expect(await verified(after, MANAGEMENT_CLIENT_SECRET)).toBe(false);

      await app.get(ManagementClientSeeder).seed();
      managementClient = (await clients.findById(MANAGEMENT_CLIENT_ID))!;
      expect(await verified(managementClient, MANAGEMENT_CLIENT_SECRET)).toBe(true);
    });

    it('is safe when several instances seed at once', async () => {
      const fresh = {
        ...config,
        managementClient: { clientId: 'concurrent-seed', clientSecret: 'concurrent-secret-0123' },
      };
      await Promise.all(
        [1, 2, 3].map(() => new ManagementClientSeeder(clients, fresh, app.get(ClientSecrets)).seed()),
      );
      const seeded = (await clients.findById('concurrent-seed'))!;
      expect(await verified(seeded, 'concurrent-secret-0123')).toBe(true);
    });
  });

  describe('client_credentials tokens (ManagementTokenIssuer)', () => {
    it('signs an RS256 at+jwt for <client_id>@clients with the Management API audience, valid 24 h', async () => {
      const issued = await issuer.issue(managementClient);
      expect(issued).toMatchObject({
        token_type: 'Bearer',
        expires_in: 86400,
        scope: MANAGEMENT_SCOPES.join(' '),
      });
      expect(decodeProtectedHeader(issued.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      const claims = decodeJwt(issued.access_token);
      expect(claims).toMatchObject({
        iss: `${PUBLIC_URL}/`,
        sub: `${MANAGEMENT_CLIENT_ID}@clients`,
        aud: AUDIENCE,
        azp: MANAGEMENT_CLIENT_ID,
        gty: 'client-credentials',
        scope: MANAGEMENT_SCOPES.join(' '),
      });
      expect(claims.exp! - claims.iat!).toBe(86400);
    });

    it('narrows the token to the requested scopes, which then bound what it may do', async () => {
      const issued = await issuer.issue(managementClient, 'read:users');
      expect(issued.scope).toBe('read:users');
      await http.get('/api/v2/users').set('Authorization', `Bearer ${issued.access_token}`).expect(200);
      await http.get('/api/v2/clients').set('Authorization', `Bearer ${issued.access_token}`).expect(403);
    });

    it('refuses a scope the client lacks (access_denied) and a client without the grant (unauthorized_client)', async () => {
      const limited = await clients.upsert({
        ...managementClient,
        clientId: 'limited-m2m',
        managementScopes: ['read:users'],
      });
      await expect(issuer.issue(limited, 'read:users delete:users')).rejects.toMatchObject({
        error: 'access_denied',
        status: 403,
        message: 'Client has not been granted scopes: delete:users',
      });
      const native = await clients.upsert({
        ...managementClient,
        clientId: 'native-app',
        appType: 'native',
        grantTypes: ['authorization_code'],
        managementScopes: [],
      });
      await expect(issuer.issue(native)).rejects.toMatchObject({ error: 'unauthorized_client', status: 403 });
    });
  });

  describe('authentication and scopes', () => {
    const unauthorized = (message: string, errorCode = 'invalid_token') =>
      errorBody(401, 'Unauthorized', errorCode, message);

    it('answers 401 without a token', async () => {
      const res = await http.get('/api/v2/users').expect(401);
      expect(res.body).toEqual(unauthorized('Missing authentication', 'missing_authentication'));
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('answers 401 for a header that is not a bearer token', async () => {
      for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', `Bearer ${'a'.repeat(9000)}`]) {
        const res = await http.get('/api/v2/users').set('Authorization', header).expect(401);
        expect(res.body).toEqual(
          unauthorized('Bad HTTP authentication header format', 'missing_authentication'),
        );
      }
    });

    it('answers 401 for garbage', async () => {
      const res = await http.get('/api/v2/users').set('Authorization', 'Bearer not.a.jwt').expect(401);
      expect(res.body).toEqual(unauthorized('Invalid token'));
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('answers 401 for an expired token', async () => {
      const keys = app.get(PostgresKeyStore);
      const yesterday = new JoseTokenSigner(keys, issuerFor(config), () => Date.now() - 2 * 86_400_000);
      const { token: expired } = await yesterday.sign(
        { sub: `${MANAGEMENT_CLIENT_ID}@clients`, aud: AUDIENCE, scope: 'read:users' },
        { alg: 'RS256', lifetimeSeconds: 86_400, typ: 'at+jwt' },
      );
      const res = await http.get('/api/v2/users').set('Authorization', `Bearer ${expired}`).expect(401);
      expect(res.body).toEqual(unauthorized('Expired token'));
    });

    it('answers 401 for alg none, HS256, a forged signature, another audience and another token type', async () => {
      const claims = {
        sub: 'x@clients',
        aud: AUDIENCE,
        scope: MANAGEMENT_SCOPES.join(' '),
        iss: `${PUBLIC_URL}/`,
      };
      const now = Math.floor(Date.now() / 1000);
      const genuine = await token('read:users');
      const { kid } = decodeProtectedHeader(genuine);
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ ...claims, iat: now, exp: now + 60 })}.`;
      const hs256 = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('a-guessed-shared-secret-of-32-bytes!'));
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      const signer = app.get(TokenSigner);
      const otherAudience = (
        await signer.sign(
          { ...claims, aud: 'some-client-id' },
          { alg: 'RS256', lifetimeSeconds: 60, typ: 'at+jwt' },
        )
      ).token;
      const idTokenLike = (await signer.sign(claims, { alg: 'RS256', lifetimeSeconds: 60 })).token;
      const tampered = `${genuine.split('.')[0]}.${b64({ ...decodeJwt(genuine), scope: 'delete:users' })}.${genuine.split('.')[2]}`;

      for (const bad of [none, hs256, forged, otherAudience, idTokenLike, tampered]) {
        const res = await http.get('/api/v2/users').set('Authorization', `Bearer ${bad}`).expect(401);
        expect(res.body).toEqual(unauthorized('Invalid token'));
      }
    });

    const endpoints: Array<
      [method: 'get' | 'post' | 'patch' | 'delete', path: string, scope: ManagementScope]
    > = [
      ['get', '/api/v2/clients', 'read:clients'],
      ['get', '/api/v2/clients/some-id', 'read:clients'],
      ['post', '/api/v2/clients', 'create:clients'],
      ['get', '/api/v2/users', 'read:users'],
      ['get', '/api/v2/users-by-email?email=a@example.com', 'read:users'],
      ['get', '/api/v2/users/auth0%7C000000000000000000000000', 'read:users'],
      ['post', '/api/v2/users', 'create:users'],
      ['patch', '/api/v2/users/auth0%7C000000000000000000000000', 'update:users'],
      ['delete', '/api/v2/users/auth0%7C000000000000000000000000', 'delete:users'],
      ['get', '/api/v2/keys/signing', 'read:signing_keys'],
    ];

    it.each(endpoints)('%s %s answers 403 insufficient_scope without %s', async (method, path, scope) => {
      const others = MANAGEMENT_SCOPES.filter((s) => s !== scope);
      const res = await http[method](path)
        .set('Authorization', await bearer(...others))
        .send({})
        .expect(403);
      expect(res.body).toEqual(
        errorBody(403, 'Forbidden', 'insufficient_scope', `Insufficient scope, expected any of: ${scope}`),
      );
      expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
    });

    it('requires both create:signing_keys and update:signing_keys to rotate', async () => {
      for (const scopes of [['create:signing_keys'], ['update:signing_keys']] as ManagementScope[][]) {
        const res = await http
          .post('/api/v2/keys/signing/rotate')
          .set('Authorization', await bearer(...scopes))
          .expect(403);
        expect(res.body).toEqual(
          errorBody(
            403,
            'Forbidden',
            'insufficient_scope',
            'Insufficient scope, expected all of: create:signing_keys, update:signing_keys',
          ),
        );
      }
    });

    it('checks the token before the body: 401 beats 400', async () => {
      await http.post('/api/v2/users').send({ unknown: true }).expect(401);
    });
  });

  it('answers NUL characters in a path, a body or a query with 400, never a database error', async () => {
    const auth = await bearer();
    const path = await http.get('/api/v2/users/auth0%00x').set('Authorization', auth).expect(400);
    expect(path.body).toMatchObject({ errorCode: 'invalid_uri' });
    const payload = await http
      .post('/api/v2/clients')
      .set('Authorization', auth)
      .send({ name: 'a\u0000b' })
      .expect(400);
    expect(payload.body).toMatchObject({
      errorCode: 'invalid_body',
      message: expect.stringMatching(/property name/),
    });
    const search = await http
      .get('/api/v2/users')
      .query({ q: 'a\u0000b' })
      .set('Authorization', auth)
      .expect(400);
    expect(search.body).toMatchObject({ errorCode: 'invalid_query_string' });
  });

  it('leaves the error body of routes it does not own to the global filter', async () => {
    const res = await http.get('/api/v2/nothing-here').expect(404);
    expect(res.body).toEqual({ error: 'not_found', error_description: 'Cannot GET /api/v2/nothing-here' });
    const ds = app.get(DataSource);
    expect(ds.isInitialized).toBe(true);
  });
});
