import { randomUUID } from 'node:crypto';
import {
  decodeJwt,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { DataSource } from 'typeorm';
import { loadConfig } from '@libs/config';
import { dataSourceOptions } from '@libs/database';
import { issuerFor, JoseTokenSigner, PostgresKeyStore, type SigningAlg } from '@libs/jwt';
import { SecretKeys } from '@libs/security';
import { MANAGEMENT, startSystem, TenantClient, type RunningSystem } from '@libs/testing';
import { delegate, delegateIdToken, nativeClient, outcome, PASSWORD, passwordLogin } from '../fixtures/oauth';

jest.setTimeout(120_000);

const SERVER_SECRET = 'security-suite-server-secret-0123456789-abcdef';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What a forgery needs: the tenant's published keys and a signer holding its real private keys. */
interface Forge {
  issuer: string;
  jwks: Array<JWK & { kid: string; alg: SigningAlg }>;
  /** Signs with the tenant's own current key (as the api would), optionally as another issuer or earlier. */
  ours(
    claims: JWTPayload,
    options?: { issuer?: string; at?: number; lifetimeSeconds?: number; typ?: string; alg?: SigningAlg },
  ): Promise<string>;
  kid(alg: SigningAlg): string;
  privateKey(alg: SigningAlg): CryptoKey;
}

/** One way of forging a token for `claims` (with the JOSE `typ` the endpoint expects). */
type Forgery = (forge: Forge, claims: JWTPayload, typ: string) => Promise<string | string[]>;

const FORGERIES: Array<[string, Forgery]> = [
  [
    'alg none (unsigned) under one of our kids',
    async (f, claims, typ) => {
      const payload = b64({ ...claims, iss: f.issuer, iat: now(), exp: now() + 600 });
      return ['none', 'None', 'NONE'].map((alg) => `${b64({ alg, kid: f.kid('RS256'), typ })}.${payload}.`);
    },
  ],
  [
    'HS256 keyed with our published public key (algorithm confusion)',
    async (f, claims, typ) => {
      const forged: string[] = [];
      for (const jwk of f.jwks) {
        const pem = await exportSPKI((await importJWK(jwk, jwk.alg)) as CryptoKey);
        for (const secret of [pem, pem.trim(), JSON.stringify(jwk)]) {
          forged.push(
            await new SignJWT({ ...claims, iss: f.issuer })
              .setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ })
              .setIssuedAt()
              .setExpirationTime('10m')
              .sign(new TextEncoder().encode(secret)),
          );
        }
      }
      return forged;
    },
  ],
  [
    'an unknown kid (a key that is not ours)',
    async (f, claims, typ) => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ ...claims, iss: f.issuer })
        .setProtectedHeader({ alg: 'RS256', kid: `attacker-${randomUUID()}`, typ })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
    },
  ],
  [
    'a key that is not ours under one of our kids, or embedded in the header',
    async (f, claims, typ) => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const jwk = await exportJWK(publicKey);
      const sign = (header: Record<string, unknown>) =>
        new SignJWT({ ...claims, iss: f.issuer })
          .setProtectedHeader({ alg: 'RS256', typ, ...header })
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(privateKey);
      return [
        await sign({ kid: f.kid('RS256') }),
        await sign({ jwk }),
        await sign({ kid: f.kid('RS256'), jwk }),
      ];
    },
  ],
  [
    'no kid, even signed with our key',
    async (f, claims, typ) =>
      new SignJWT({ ...claims, iss: f.issuer })
        .setProtectedHeader({ alg: 'RS256', typ })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(f.privateKey('RS256')),
  ],
  [
    'another issuer, signed with our key',
    async (f, claims, typ) => [
      await f.ours(claims, { issuer: 'https://attacker.example/', typ }),
      await f.ours(claims, { issuer: f.issuer.replace(/\/$/, ''), typ }),
    ],
  ],
  [
    'another audience, signed with our key',
    async (f, claims, typ) => [
      await f.ours({ ...claims, aud: 'https://attacker.example/api' }, { typ }),
      await f.ours({ ...claims, aud: `${f.issuer}userinfo` }, { typ }),
    ],
  ],
  [
    'expired, signed with our key',
    async (f, claims, typ) =>
      f.ours(claims, { at: Date.now() - 2 * 3600_000, lifetimeSeconds: 3600, typ, alg: 'ES256' }),
  ],
  [
    'a payload changed after signing',
    async (f, claims, typ) => {
      const [header, , signature] = (await f.ours(claims, { typ })).split('.');
      return `${header}.${b64({ ...claims, iss: f.issuer, sub: 'auth0|someone-else', iat: now(), exp: now() + 600 })}.${signature}`;
    },
  ],
];

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Security regression suite, property 3: a forged, confused, foreign, mis-addressed or expired JWT is
 * refused wherever the service verifies tokens — Management API bearer tokens (401) and id_tokens at
 * /delegation (403 `invalid_grant`). Each forgery is also made valid once (the control), so a refusal is
 * known to come from what was changed.
 */
describe('security: only untampered, unexpired tokens of this tenant, for this audience, are accepted (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let sql: DataSource;
  let keys: PostgresKeyStore;
  let forge: Forge;
  let app: { client_id: string };
  let user: { user_id: string; email: string };
  let managementClaims: JWTPayload;
  let idTokenClaims: JWTPayload;

  const callManagement = (token: string) =>
    tenant.json('GET', '/api/v2/users?per_page=1', undefined, { authorization: `Bearer ${token}` });

  beforeAll(async () => {
    system = await startSystem({ projector: false, env: { SERVER_SECRET } });
    tenant = new TenantClient(system.url);
    const config = loadConfig(system.env);
    sql = await new DataSource(dataSourceOptions(system.db.url)).initialize();
    keys = new PostgresKeyStore(sql, SecretKeys.fromConfig(config));
    await keys.onModuleInit();
    const issuer = issuerFor(config);
    const published = (await (await fetch(`${system.url}/.well-known/jwks.json`)).json()) as {
      keys: Forge['jwks'];
    };
    forge = {
      issuer,
      jwks: published.keys,
      ours: (claims, o = {}) =>
        new JoseTokenSigner(keys, o.issuer ?? issuer, () => o.at ?? Date.now())
          .sign(claims, { alg: o.alg ?? 'RS256', lifetimeSeconds: o.lifetimeSeconds ?? 600, typ: o.typ })
          .then((s) => s.token),
      kid: (alg) => keys.signingKey(alg).kid,
      privateKey: (alg) => keys.signingKey(alg).privateKey,
    };
    expect(forge.jwks.map((k) => k.kid).sort()).toEqual([forge.kid('ES256'), forge.kid('RS256')].sort());

    app = await nativeClient(tenant, 'verifier');
    user = await tenant.createUser(`jwt-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);
    managementClaims = {
      sub: `${MANAGEMENT.clientId}@clients`,
      aud: `${system.url}/api/v2/`,
      azp: MANAGEMENT.clientId,
      scope: 'read:users',
      gty: 'client-credentials',
    };
    idTokenClaims = { sub: user.user_id, aud: app.client_id, azp: app.client_id, email: user.email };
  });
  afterAll(async () => {
    await keys?.onModuleDestroy();
    await sql?.destroy();
    await system?.stop();
  });

  describe('Management API bearer tokens', () => {
    it('accepts a token signed with our key for the Management API audience (the control)', async () => {
      for (const alg of ['RS256', 'ES256'] as const) {
        const res = await callManagement(await forge.ours(managementClaims, { typ: 'at+jwt', alg }));
        expect([alg, res.status]).toEqual([alg, 200]);
      }
    });

    it.each(FORGERIES)('refuses %s with 401 invalid_token', async (_name, make) => {
      const forged = [await make(forge, managementClaims, 'at+jwt')].flat();
      for (const token of forged) {
        const res = await callManagement(token);
        expect({ token, status: res.status, errorCode: res.body?.errorCode }).toEqual({
          token,
          status: 401,
          errorCode: 'invalid_token',
        });
      }
    });

    it('refuses an id_token this tenant issued (not an access token, not for this audience)', async () => {
      const { id_token } = await passwordLogin(tenant, app.client_id, user.email);
      expect((await callManagement(id_token)).status).toBe(401);
    });

    it('refuses a token for the Management API audience whose typ is not at+jwt', async () => {
      expect((await callManagement(await forge.ours(managementClaims, { typ: 'JWT' }))).status).toBe(401);
    });

    it('refuses a user’s /userinfo access token', async () => {
      const { access_token } = await passwordLogin(tenant, app.client_id, user.email);
      expect((await callManagement(access_token)).status).toBe(401);
    });
  });

  describe('id_tokens at /delegation', () => {
    const INVALID_ID_TOKEN = { error: 'invalid_grant', error_description: 'Invalid id_token.' };

    it('accepts an id_token signed with our key for the presenting client (the control)', async () => {
      for (const alg of ['RS256', 'ES256'] as const) {
        const res = await delegateIdToken(tenant, app.client_id, await forge.ours(idTokenClaims, { alg }));
        expect([alg, res.status]).toEqual([alg, 200]);
      }
    });

    it.each(FORGERIES)('refuses %s with 403 invalid_grant', async (_name, make) => {
      const forged = [await make(forge, idTokenClaims, 'JWT')].flat();
      for (const token of forged) {
        const res = await delegateIdToken(tenant, app.client_id, token);
        expect({ token, ...outcome(res) }).toEqual({ token, status: 403, body: INVALID_ID_TOKEN });
      }
    });

    it('refuses an id_token issued to another client', async () => {
      const other = await nativeClient(tenant, 'verifier-other');
      const { id_token } = await passwordLogin(tenant, other.client_id, user.email);
      expect(outcome(await delegateIdToken(tenant, app.client_id, id_token))).toEqual({
        status: 403,
        body: INVALID_ID_TOKEN,
      });
    });

    it('refuses a Management API access token presented as an id_token', async () => {
      const token = await forge.ours(managementClaims, { typ: 'at+jwt' });
      expect((await delegateIdToken(tenant, app.client_id, token)).status).toBe(403);
    });
  });

  describe('issue 19 finding 9: an HS256 client secret is no master key', () => {
    const INVALID_ID_TOKEN = { error: 'invalid_grant', error_description: 'Invalid id_token.' };
    const INVALID_TOKEN = { error: 'invalid_token', error_description: 'Invalid id_token.' };
    let web: { client_id: string; client_secret?: string };
    const tokeninfo = (idToken: string) => tenant.json('POST', '/tokeninfo', { id_token: idToken });
    const webDelegation = (idToken: string) =>
      delegate(tenant, web.client_id, undefined, { id_token: idToken, client_secret: web.client_secret! });
    /** What the holder of web's secret can sign: any claims, a valid signature, a fresh jti. */
    const forgeWithSecret = (claims: JWTPayload) =>
      new SignJWT({ scope: 'openid profile email', ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(forge.issuer)
        .setIssuedAt()
        .setExpirationTime('10m')
        .setJti(randomUUID())
        .sign(new TextEncoder().encode(web.client_secret));

    beforeAll(async () => {
      web = await tenant.createClient({
        name: 'HS256 backend',
        app_type: 'regular_web',
        grant_types: ['password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
        jwt_configuration: { alg: 'HS256' },
      });
    });

    it('accepts the id_tokens it issued: a login without offline_access, and its renewals (the control)', async () => {
      const login = await passwordLogin(tenant, web.client_id, user.email, 'unused', {
        scope: 'openid email',
        client_secret: web.client_secret!,
      });
      expect(login.refresh_token).toBeUndefined();
      expect((await tokeninfo(login.id_token)).status).toBe(200);
      const renewed = await webDelegation(login.id_token);
      expect(renewed.status).toBe(200);
      expect((await tokeninfo(renewed.body.id_token)).body.user_id).toBe(user.user_id);
      expect((await webDelegation(renewed.body.id_token)).status).toBe(200);
    });

    it('refuses an id_token signed with the client’s secret for any user: 401 at /tokeninfo, 403 at /delegation', async () => {
      const bound = await passwordLogin(tenant, app.client_id, user.email, 'Victim phone');
      const victimCredential = decodeJwt(bound.id_token).credential_id;
      expect(victimCredential).toEqual(expect.stringMatching(/^dcr_/));
      const forgeries = [
        await forgeWithSecret({ sub: user.user_id, aud: web.client_id, azp: web.client_id }),
        // Bound to the victim's real credential at another client: not a credential of this audience.
        await forgeWithSecret({
          sub: user.user_id,
          aud: web.client_id,
          azp: app.client_id,
          credential_id: victimCredential,
        }),
        await forgeWithSecret({
          sub: user.user_id,
          aud: web.client_id,
          azp: web.client_id,
          credential_id: victimCredential,
        }),
      ];
      for (const token of forgeries) {
        expect({ token, ...outcome(await tokeninfo(token)) }).toEqual({
          token,
          status: 401,
          body: INVALID_TOKEN,
        });
        expect({ token, ...outcome(await webDelegation(token)) }).toEqual({
          token,
          status: 403,
          body: INVALID_ID_TOKEN,
        });
      }
    });

    it('refuses at /tokeninfo an id_token whose refresh token is revoked', async () => {
      const login = await passwordLogin(tenant, app.client_id, user.email, 'Revoked phone');
      expect((await tokeninfo(login.id_token)).status).toBe(200);
      const revoke = await tenant.form('/oauth/revoke', {
        client_id: app.client_id,
        token: login.refresh_token,
      });
      expect(revoke.status).toBe(200);
      expect(outcome(await tokeninfo(login.id_token))).toEqual({ status: 401, body: INVALID_TOKEN });
    });
  });
});
