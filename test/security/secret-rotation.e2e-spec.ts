import { randomBytes, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import { SecretKeys } from '@libs/security';
import {
  deleteTopics,
  spawnApp,
  startSystem,
  TenantClient,
  testKafka,
  waitForHealth,
  type RunningSystem,
} from '@libs/testing';
import {
  delegate,
  INVALID_REFRESH_TOKEN,
  nativeClient,
  passwordLogin,
  refreshGrant,
} from '../fixtures/oauth';

jest.setTimeout(240_000);

type AppProcess = RunningSystem['api'];

const SECRET_A = `server-secret-a-${randomBytes(24).toString('base64url')}`;
const SECRET_B = `server-secret-b-${randomBytes(24).toString('base64url')}`;
const ID_A = new SecretKeys(SECRET_A).keyId;
const ID_B = new SecretKeys(SECRET_B).keyId;

/**
 * Issue 13 point 9: the root secret rotates. Refresh tokens, the signing keys' private halves and an HS256
 * client's secret are made under SERVER_SECRET=A; the api and the projector restart with SERVER_SECRET=B
 * and SERVER_SECRETS_PREVIOUS=A, and everything made under A keeps working beside what B makes; the
 * sealed values are sealed anew under B at that boot, so that a restart with B alone refuses only A's
 * refresh tokens (unknown, like any token this service never issued).
 */
describe('rotating SERVER_SECRET (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let api: AppProcess;
  let projector: AppProcess;
  let sql: Client;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let app: { client_id: string };
  let web: { client_id: string; client_secret: string };
  let email: string;
  let tokenA: string;
  let webTokenA: string;
  let credentialA: unknown;
  let kidA: string | undefined;
  let tokenB: string;

  /** Stops the api and projector running now and starts both with `env` over the system's environment. */
  async function restart(env: Record<string, string>): Promise<void> {
    await Promise.all([api.stop(), projector.stop()]);
    const next = { ...system.env, ...env };
    api = spawnApp('api', next);
    await waitForHealth(system.url, api);
    projector = spawnApp('projector', next);
    await waitForHealth(`http://127.0.0.1:${next.PROJECTOR_PORT}`, projector);
  }

  const idTokenOf = async (res: { status: number; body: { id_token?: string } }) => {
    expect(res.status).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(res.body.id_token!, jwks, {
      audience: app.client_id,
    });
    return { payload, kid: protectedHeader.kid };
  };
  const webRefresh = (token: string) =>
    refreshGrant(tenant, web.client_id, token, { client_secret: web.client_secret });
  const hs256 = async (res: { status: number; body: { id_token?: string } }) => {
    expect(res.status).toBe(200);
    expect(decodeProtectedHeader(res.body.id_token!).alg).toBe('HS256');
    const key = new TextEncoder().encode(web.client_secret);
    return (await jwtVerify(res.body.id_token!, key, { audience: web.client_id })).payload;
  };
  const sealedPrefixes = async () => {
    const keys = await sql.query<{ sealed: string }>(
      `SELECT private_jwk_encrypted AS sealed FROM signing_keys WHERE status = 'current'`,
    );
    const clients = await sql.query<{ sealed: string }>(
      `SELECT client_secret_cipher AS sealed FROM clients WHERE client_id = $1`,
      [web.client_id],
    );
    return [...keys.rows, ...clients.rows].map(({ sealed }) => sealed.split('.')[0]);
  };

  beforeAll(async () => {
    system = await startSystem({ env: { SERVER_SECRET: SECRET_A } });
    api = system.api;
    projector = system.projector!;
    tenant = new TenantClient(system.url);
    jwks = createRemoteJWKSet(new URL(`${system.url}/.well-known/jwks.json`));
    sql = new Client({ connectionString: system.db.url });
    await sql.connect();

    app = await nativeClient(tenant, 'rotation-app');
    web = (await tenant.createClient({
      name: 'HS256 web app',
      app_type: 'regular_web',
      grant_types: ['refresh_token', 'password'],
      token_endpoint_auth_method: 'client_secret_post',
      jwt_configuration: { alg: 'HS256' },
    })) as { client_id: string; client_secret: string };
    email = `rotation-${randomUUID().slice(0, 8)}@example.com`;
    await tenant.createUser(email);

    tokenA = (await passwordLogin(tenant, app.client_id, email, 'Phone A')).refresh_token;
    webTokenA = (
      await passwordLogin(tenant, web.client_id, email, 'Laptop A', { client_secret: web.client_secret })
    ).refresh_token;
    const before = await idTokenOf(await delegate(tenant, app.client_id, tokenA));
    credentialA = before.payload.credential_id;
    kidA = before.kid;
    await hs256(await webRefresh(webTokenA));
    expect(credentialA).toMatch(/^dcr_/);
    expect(await sealedPrefixes()).toEqual([ID_A, ID_A, ID_A]);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), projector?.stop()]);
    await sql?.end();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 60_000);

  describe('restarted with SERVER_SECRET=B and SERVER_SECRETS_PREVIOUS=A', () => {
    beforeAll(() => restart({ SERVER_SECRET: SECRET_B, SERVER_SECRETS_PREVIOUS: SECRET_A }));

    it('says which key ids it accepts, and never a secret', () => {
      const said = api
        .logs()
        .find((line) => typeof line.msg === 'string' && line.msg.startsWith('Accepting keys'));
      expect(said).toMatchObject({ key_id: ID_B, previous_key_ids: [ID_A] });
      for (const line of [...api.lines, ...api.stderr, ...projector.lines, ...projector.stderr]) {
        expect(line).not.toContain(SECRET_A);
        expect(line).not.toContain(SECRET_B);
      }
    });

    it('exchanges a refresh token issued under A, for the same credential, signed with the same key', async () => {
      const after = await idTokenOf(await delegate(tenant, app.client_id, tokenA));
      expect(after.payload.credential_id).toBe(credentialA);
      expect(after.kid).toBe(kidA);
      const refreshed = await refreshGrant(tenant, app.client_id, tokenA);
      expect((await idTokenOf(refreshed)).payload.credential_id).toBe(credentialA);
    });

    it('issues and exchanges a refresh token under B', async () => {
      tokenB = (await passwordLogin(tenant, app.client_id, email, 'Phone B')).refresh_token;
      const { payload, kid } = await idTokenOf(await delegate(tenant, app.client_id, tokenB));
      expect(payload.credential_id).not.toBe(credentialA);
      expect(kid).toBe(kidA);
    });

    it('signs HS256 id_tokens with a client secret sealed under A', async () => {
      await hs256(await webRefresh(webTokenA));
    });

    it('has sealed the signing keys and the client secret anew under B', async () => {
      expect(await sealedPrefixes()).toEqual([ID_B, ID_B, ID_B]);
    });

    it('issue 19 finding 2: has hashed the client secret anew under B (a keyed hash names its key id)', async () => {
      const { rows } = await sql.query<{ hash: string }>(
        `SELECT client_secret_hash AS hash FROM clients WHERE client_id = $1`,
        [web.client_id],
      );
      expect(rows[0].hash.split('$').slice(0, 2)).toEqual(['hmac-sha256', ID_B]);
    });

    it('counts the uses of A’s keys in previous_secret_key_uses_total', async () => {
      const text = await (await fetch(`http://127.0.0.1:${system.env.METRICS_PORT}/metrics`)).text();
      const uses = new RegExp(
        `^previous_secret_key_uses_total\\{[^}]*purpose="refresh-token-hash"[^}]*key_id="${ID_A}"[^}]*\\} (\\d+)$`,
        'm',
      ).exec(text);
      expect(Number(uses?.[1])).toBeGreaterThanOrEqual(3);
    });
  });

  describe('restarted with SERVER_SECRET=B alone (A dropped)', () => {
    beforeAll(() => restart({ SERVER_SECRET: SECRET_B }));

    it('refuses the refresh tokens issued under A as unknown', async () => {
      for (const res of [
        await delegate(tenant, app.client_id, tokenA),
        await refreshGrant(tenant, app.client_id, tokenA),
      ]) {
        expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: INVALID_REFRESH_TOKEN });
      }
    });

    it('still exchanges the refresh token issued under B, signed with the keys first sealed under A', async () => {
      const { kid } = await idTokenOf(await delegate(tenant, app.client_id, tokenB));
      expect(kid).toBe(kidA);
    });

    it('still signs HS256 id_tokens with the client secret first sealed under A', async () => {
      const webTokenB = (
        await passwordLogin(tenant, web.client_id, email, 'Laptop B', { client_secret: web.client_secret })
      ).refresh_token;
      await hs256(await webRefresh(webTokenB));
    });
  });
});
