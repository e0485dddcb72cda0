import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ManagementTokenIssuer } from '@libs/authentication';
import { AppConfig, ConfigModule, loadConfig } from '@libs/config';
import { CredentialsModule } from '@libs/credentials';
import { DatabaseModule } from '@libs/database';
import { EventStoreModule } from '@libs/event-store';
import { issuerFor, JoseTokenSigner, JwtModule, PostgresKeyStore, TokenSigner } from '@libs/jwt';
import { OAuthExceptionFilter } from '@libs/platform';
import { SecurityModule } from '@libs/security';
import { createTestDatabase, type TestDatabase } from '@libs/testing';
import {
  type Client,
  ClientRepository,
  MANAGEMENT_SCOPES,
  type ManagementScope,
  UserRepository,
  verifyClientSecret,
} from '@libs/tenants';
import { ManagementClientSeeder } from './clients/management-client.seeder';
import { ManagementModule } from './management.module';

const PUBLIC_URL = 'https://tenant.example.com';
const AUDIENCE = `${PUBLIC_URL}/api/v2/`;
const MANAGEMENT_CLIENT_ID = 'mgmt-test-client';
const MANAGEMENT_CLIENT_SECRET = 'management-test-secret-0123456789';

/** The Management API over HTTP, in process: real PostgreSQL, real keys, real signer and verifier. */
describe('Management API v2 (HTTP, real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let config: AppConfig;
  let issuer: ManagementTokenIssuer;
  let clients: ClientRepository;
  let managementClient: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = loadConfig({ DATABASE_URL: db.url, PUBLIC_URL, MANAGEMENT_CLIENT_ID, MANAGEMENT_CLIENT_SECRET });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        SecurityModule,
        EventStoreModule.forRoot({ relay: false }),
        CredentialsModule,
        JwtModule,
        ManagementModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new OAuthExceptionFilter());
    await app.init();
    http = request(app.getHttpServer());
    issuer = new ManagementTokenIssuer(app.get(TokenSigner), config);
    clients = app.get(ClientRepository);
    managementClient = (await clients.findById(MANAGEMENT_CLIENT_ID))!;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** A Management API token of the bootstrap client with these scopes (all of them by default). */
  const token = async (...scopes: ManagementScope[]) =>
    (await issuer.issue(managementClient, scopes.join(' ') || undefined)).access_token;
  const bearer = async (...scopes: ManagementScope[]) => `Bearer ${await token(...scopes)}`;

  const errorBody = (statusCode: number, error: string, errorCode: string, message: string | RegExp) => ({
    statusCode,
    error,
    errorCode,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    error_description: typeof message === 'string' ? message : expect.stringMatching(message),
  });

  describe('bootstrap management client', () => {
    it('is seeded at boot: non_interactive, client_secret_post, client_credentials, every Management scope', async () => {
      expect(managementClient).toMatchObject({
        clientId: MANAGEMENT_CLIENT_ID,
        appType: 'non_interactive',
        tokenEndpointAuthMethod: 'client_secret_post',
        grantTypes: ['client_credentials'],
        managementScopes: [...MANAGEMENT_SCOPES],
      });
      await expect(verifyClientSecret(managementClient, MANAGEMENT_CLIENT_SECRET)).resolves.toBe(true);
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
      await new ManagementClientSeeder(clients, rotated).seed();
      const after = (await clients.findById(MANAGEMENT_CLIENT_ID))!;
      await expect(verifyClientSecret(after, 'a-brand-new-secret-value')).resolves.toBe(true);
      await expect(verifyClientSecret(after, MANAGEMENT_CLIENT_SECRET)).resolves.toBe(false);

      await app.get(ManagementClientSeeder).seed();
      managementClient = (await clients.findById(MANAGEMENT_CLIENT_ID))!;
      await expect(verifyClientSecret(managementClient, MANAGEMENT_CLIENT_SECRET)).resolves.toBe(true);
    });

    it('is safe when several instances seed at once', async () => {
      const fresh = {
        ...config,
        managementClient: { clientId: 'concurrent-seed', clientSecret: 'concurrent-secret-0123' },
      };
      await Promise.all([1, 2, 3].map(() => new ManagementClientSeeder(clients, fresh).seed()));
      const seeded = (await clients.findById('concurrent-seed'))!;
      await expect(verifyClientSecret(seeded, 'concurrent-secret-0123')).resolves.toBe(true);
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

  describe('/api/v2/clients', () => {
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
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        jwt_configuration: { lifetime_in_seconds: 36000, alg: 'RS256' },
        management_api_scopes: [],
        is_first_party: true,
        oidc_conformant: true,
      });
      const { client_id, client_secret } = created.body as { client_id: string; client_secret: string };

      const stored = (await clients.findById(client_id))!;
      expect(stored.clientSecretHash).toMatch(/^scrypt\$/);
      await expect(verifyClientSecret(stored, client_secret)).resolves.toBe(true);

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
      [
        'an unknown field',
        { name: 'A', logo_uri: 'https://x' },
        /Additional properties not allowed: logo_uri/,
      ],
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
      [
        'a zero lifetime',
        { name: 'A', jwt_configuration: { lifetime_in_seconds: 0 } },
        /lifetime_in_seconds/,
      ],
      [
        'a lifetime over 30 days',
        { name: 'A', jwt_configuration: { lifetime_in_seconds: 2_592_001 } },
        /lifetime_in_seconds/,
      ],
      ['alg HS256', { name: 'A', jwt_configuration: { alg: 'HS256' } }, /jwt_configuration\.alg/],
      [
        'an unknown scope',
        { name: 'A', management_api_scopes: ['read:everything'] },
        /management_api_scopes/,
      ],
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
      expect(res.body).toEqual(
        errorBody(404, 'Not Found', 'inexistent_client', 'The client does not exist.'),
      );
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

  describe('/api/v2/users', () => {
    const USER_ID = /^auth0\|[0-9a-f]{24}$/;

    const createUser = async (body: Record<string, unknown>) =>
      http
        .post('/api/v2/users')
        .set('Authorization', await bearer('create:users'))
        .send(body);

    it("creates a user and answers with Auth0's user shape, never a password", async () => {
      const res = await createUser({
        connection: 'Username-Password-Authentication',
        email: 'Jane.Doe@Example.com',
        password: 'correct horse battery staple',
      });
      expect(res.status).toBe(201);
      const body = res.body as Record<string, unknown>;
      expect(body).toEqual({
        user_id: expect.stringMatching(USER_ID),
        email: 'jane.doe@example.com',
        email_verified: false,
        name: 'jane.doe@example.com',
        nickname: 'jane.doe',
        picture: expect.stringMatching(/^https:\/\/s\.gravatar\.com\/avatar\//),
        blocked: false,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        logins_count: 0,
        identities: [
          {
            connection: 'Username-Password-Authentication',
            user_id: (body.user_id as string).slice('auth0|'.length),
            provider: 'auth0',
            isSocial: false,
          },
        ],
      });
      expect(JSON.stringify(body)).not.toMatch(/password|scrypt/);
      const verified = await app
        .get(UserRepository)
        .verifyPassword('jane.doe@example.com', 'correct horse battery staple');
      expect(verified?.userId).toBe(body.user_id);
    });

    it('keeps given name, nickname, email_verified and blocked', async () => {
      const res = await createUser({
        connection: 'Username-Password-Authentication',
        email: 'given@example.com',
        password: 'correct horse battery staple',
        name: 'Given Name',
        nickname: 'gn',
        email_verified: true,
        blocked: true,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: 'Given Name',
        nickname: 'gn',
        email_verified: true,
        blocked: true,
      });
    });

    it('answers 409 auth0_idp_error for an email taken in any case', async () => {
      const body = {
        connection: 'Username-Password-Authentication',
        password: 'correct horse battery staple',
      };
      expect((await createUser({ ...body, email: 'twice@example.com' })).status).toBe(201);
      const res = await createUser({ ...body, email: 'TWICE@example.com' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual(errorBody(409, 'Conflict', 'auth0_idp_error', 'The user already exists.'));
    });

    it('answers 400 invalid_password for a password shorter than 8 characters', async () => {
      const res = await createUser({
        connection: 'Username-Password-Authentication',
        email: 'short@example.com',
        password: 'short',
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(
          400,
          'Bad Request',
          'invalid_password',
          /Password is too weak: it must be at least 8 characters/,
        ),
      );
    });

    const valid = {
      connection: 'Username-Password-Authentication',
      email: 'a@example.com',
      password: 'long enough pw',
    };
    it.each([
      [
        'no connection',
        { email: 'a@example.com', password: 'long enough pw' },
        'invalid_body',
        /Missing required property: connection/,
      ],
      [
        'no password',
        { connection: 'Username-Password-Authentication', email: 'a@example.com' },
        'invalid_body',
        /Missing required property: password/,
      ],
      ['an invalid email', { ...valid, email: 'not-an-email' }, 'invalid_body', /email must be an email/],
      [
        'another connection',
        { ...valid, connection: 'google-oauth2' },
        'inexistent_connection',
        /connection does not exist/,
      ],
      ['a string for blocked', { ...valid, blocked: 'yes' }, 'invalid_body', /on property blocked/],
      [
        'a 129-character password',
        { ...valid, password: 'x'.repeat(129) },
        'invalid_body',
        /password must be shorter/,
      ],
      [
        'app_metadata',
        { ...valid, app_metadata: {} },
        'invalid_body',
        /Additional properties not allowed: app_metadata/,
      ],
    ])('refuses %s with 400 %s', async (_label, body, errorCode, message) => {
      const res = await createUser(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody(400, 'Bad Request', errorCode, message));
    });

    it('gets a user by id; 404 inexistent_user for an unknown one', async () => {
      const created = (
        await createUser({
          connection: 'Username-Password-Authentication',
          email: 'get@example.com',
          password: 'long enough pw',
        })
      ).body as { user_id: string };
      const auth = await bearer('read:users');
      const res = await http
        .get(`/api/v2/users/${encodeURIComponent(created.user_id)}`)
        .set('Authorization', auth)
        .expect(200);
      expect(res.body).toEqual(created);
      const missing = await http
        .get('/api/v2/users/auth0%7C000000000000000000000000')
        .set('Authorization', auth)
        .expect(404);
      expect(missing.body).toEqual(
        errorBody(404, 'Not Found', 'inexistent_user', 'The user does not exist.'),
      );
    });

    it('lists and searches users by q and by email, with totals and paging', async () => {
      await createUser({
        connection: 'Username-Password-Authentication',
        email: 'search.me@example.com',
        password: 'long enough pw',
        name: 'Searchable',
      });
      const auth = await bearer('read:users');
      const byQ = await http
        .get('/api/v2/users')
        .query({ q: 'email:"SEARCH.ME@example.com"', search_engine: 'v3' })
        .set('Authorization', auth)
        .expect(200);
      expect((byQ.body as Array<{ email: string }>).map((u) => u.email)).toEqual(['search.me@example.com']);
      const byEmail = await http
        .get('/api/v2/users?email=Search.Me@example.com')
        .set('Authorization', auth)
        .expect(200);
      expect((byEmail.body as Array<{ name: string }>).map((u) => u.name)).toEqual(['Searchable']);
      const byPrefix = await http
        .get('/api/v2/users')
        .query({ q: 'name:search*' })
        .set('Authorization', auth)
        .expect(200);
      expect(byPrefix.body).toHaveLength(1);
      const usersByEmail = await http
        .get('/api/v2/users-by-email?email=SEARCH.me@example.com')
        .set('Authorization', auth)
        .expect(200);
      expect(usersByEmail.body).toHaveLength(1);

      const paged = await http
        .get('/api/v2/users?include_totals=true&per_page=1&page=1&sort=email:1')
        .set('Authorization', auth)
        .expect(200);
      const envelope = paged.body as {
        start: number;
        limit: number;
        length: number;
        total: number;
        users: unknown[];
      };
      expect(envelope).toMatchObject({ start: 1, limit: 1, length: 1 });
      expect(envelope.total).toBeGreaterThanOrEqual(3);
      expect(envelope.users).toHaveLength(1);
    });

    it.each([
      ['q=email:a OR email:b'],
      ['q=password:x'],
      ['per_page=1000'],
      ['sort=password:1'],
      ['include_totals=1'],
      ['search_engine=v9'],
    ])('refuses the query %s with 400 invalid_query_string', async (query) => {
      const res = await http
        .get(`/api/v2/users?${encodeURI(query)}`)
        .set('Authorization', await bearer('read:users'))
        .expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        errorCode: 'invalid_query_string',
        error: 'Bad Request',
      });
    });

    it('patches blocked, name, email_verified and password', async () => {
      const created = (
        await createUser({
          connection: 'Username-Password-Authentication',
          email: 'patch@example.com',
          password: 'the old password',
        })
      ).body as { user_id: string; updated_at: string };
      const path = `/api/v2/users/${encodeURIComponent(created.user_id)}`;
      const auth = await bearer('update:users');
      const blocked = await http
        .patch(path)
        .set('Authorization', auth)
        .send({ blocked: true, name: 'Patched' })
        .expect(200);
      expect(blocked.body).toMatchObject({ user_id: created.user_id, blocked: true, name: 'Patched' });
      const unblocked = await http
        .patch(path)
        .set('Authorization', auth)
        .send({ blocked: false, email_verified: true })
        .expect(200);
      expect(unblocked.body).toMatchObject({ blocked: false, email_verified: true, name: 'Patched' });
      await http.patch(path).set('Authorization', auth).send({ password: 'the new password' }).expect(200);
      const users = app.get(UserRepository);
      await expect(users.verifyPassword('patch@example.com', 'the old password')).resolves.toBeNull();
      expect(await users.verifyPassword('patch@example.com', 'the new password')).not.toBeNull();
    });

    it('refuses bad patches: empty, short password, unknown field, taken email; 404 for an unknown user', async () => {
      await createUser({
        connection: 'Username-Password-Authentication',
        email: 'first@example.com',
        password: 'long enough pw',
      });
      const second = (
        await createUser({
          connection: 'Username-Password-Authentication',
          email: 'second@example.com',
          password: 'long enough pw',
        })
      ).body as { user_id: string };
      const path = `/api/v2/users/${encodeURIComponent(second.user_id)}`;
      const auth = await bearer('update:users');
      expect((await http.patch(path).set('Authorization', auth).send({}).expect(400)).body).toMatchObject({
        errorCode: 'invalid_body',
        message: expect.stringMatching(/Too few properties/),
      });
      expect(
        (await http.patch(path).set('Authorization', auth).send({ password: 'short' }).expect(400)).body,
      ).toMatchObject({
        errorCode: 'invalid_password',
      });
      expect(
        (await http.patch(path).set('Authorization', auth).send({ user_id: 'auth0|x' }).expect(400)).body,
      ).toMatchObject({
        errorCode: 'invalid_body',
        message: expect.stringMatching(/Additional properties not allowed: user_id/),
      });
      expect(
        (await http.patch(path).set('Authorization', auth).send({ email: 'FIRST@example.com' }).expect(409))
          .body,
      ).toMatchObject({
        errorCode: 'auth0_idp_error',
      });
      const missing = await http
        .patch('/api/v2/users/auth0%7C000000000000000000000000')
        .set('Authorization', auth)
        .send({ blocked: true })
        .expect(404);
      expect(missing.body).toMatchObject({ errorCode: 'inexistent_user' });
    });

    it('deletes a user with 204, then answers 404', async () => {
      const created = (
        await createUser({
          connection: 'Username-Password-Authentication',
          email: 'delete@example.com',
          password: 'long enough pw',
        })
      ).body as { user_id: string };
      const path = `/api/v2/users/${encodeURIComponent(created.user_id)}`;
      const auth = await bearer('delete:users', 'read:users');
      const res = await http.delete(path).set('Authorization', auth).expect(204);
      expect(res.text).toBe('');
      await http.get(path).set('Authorization', auth).expect(404);
      const again = await http.delete(path).set('Authorization', auth).expect(404);
      expect(again.body).toMatchObject({ errorCode: 'inexistent_user' });
    });
  });

  describe('/api/v2/keys/signing', () => {
    type KeyView = {
      kid: string;
      alg: string;
      current: boolean;
      previous: boolean;
      jwk: Record<string, unknown>;
    };

    it('lists the published keys with their status and no private members', async () => {
      const res = await http
        .get('/api/v2/keys/signing')
        .set('Authorization', await bearer('read:signing_keys'))
        .expect(200);
      const keys = res.body as KeyView[];
      expect(
        keys
          .filter((k) => k.current)
          .map((k) => k.alg)
          .sort(),
      ).toEqual(['ES256', 'RS256']);
      for (const key of keys) {
        expect(key.jwk).toMatchObject({ kid: key.kid, alg: key.alg, use: 'sig' });
        expect(key.jwk).not.toHaveProperty('d');
      }
    });

    it('rotates both keys; tokens signed before keep working and the old keys are listed as previous', async () => {
      const before = await bearer();
      const oldKid = decodeProtectedHeader(before.slice('Bearer '.length)).kid;
      const res = await http.post('/api/v2/keys/signing/rotate').set('Authorization', before).expect(201);
      const rotation = res.body as {
        kid: string;
        rotated: Array<{ alg: string; kid: string; previous_kid?: string }>;
      };
      expect(rotation.rotated.map((r) => r.alg)).toEqual(['RS256', 'ES256']);
      expect(rotation.kid).toBe(rotation.rotated[0].kid);
      expect(rotation.rotated[0].previous_kid).toBe(oldKid);

      const listed = (await http.get('/api/v2/keys/signing').set('Authorization', before).expect(200))
        .body as KeyView[];
      expect(listed.find((k) => k.kid === oldKid)).toMatchObject({ current: false, previous: true });
      expect(listed.find((k) => k.kid === rotation.kid)).toMatchObject({ current: true, previous: false });
      const after = await token('read:users');
      expect(decodeProtectedHeader(after).kid).toBe(rotation.kid);
    });

    it('rotates one algorithm with ?alg=, and refuses an unknown one', async () => {
      const auth = await bearer('create:signing_keys', 'update:signing_keys');
      const res = await http
        .post('/api/v2/keys/signing/rotate?alg=ES256')
        .set('Authorization', auth)
        .expect(201);
      expect((res.body as { rotated: Array<{ alg: string }> }).rotated.map((r) => r.alg)).toEqual(['ES256']);
      const bad = await http
        .post('/api/v2/keys/signing/rotate?alg=HS256')
        .set('Authorization', auth)
        .expect(400);
      expect(bad.body).toMatchObject({
        errorCode: 'invalid_query_string',
        message: expect.stringMatching(/alg/),
      });
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
