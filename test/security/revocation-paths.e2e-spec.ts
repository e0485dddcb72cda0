import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Client as PgClient } from 'pg';
import { eventTopic } from '@libs/messaging';
import {
  browserLogin,
  deleteTopics,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import {
  delegate,
  delegateIdToken,
  JWT_BEARER,
  nativeClient,
  outcome,
  PASSWORD,
  passwordLogin,
  refreshGrant,
} from '../fixtures/oauth';

jest.setTimeout(180_000);

const INVALID_ID_TOKEN = { error: 'invalid_grant', error_description: 'Invalid id_token.' };
const INVALID_ACCESS_TOKEN = { error: 'invalid_token', error_description: 'Invalid access token.' };

/**
 * Security regression suite, issue 10 points 8–11: no path outlives a revocation (DESIGN guarantee 1).
 * id_tokens and access tokens that came from a refresh token carry its credential id and are refused at
 * /delegation and /userinfo once it is revoked — at return of the revoke, also with the projector stopped;
 * an unbound id_token is never renewed past its own exp nor to a wider scope; /delegation authenticates
 * confidential clients like /oauth/token; a PKCE verifier for a code without a challenge is refused.
 */
describe('security: no path outlives a revocation (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let db: PgClient;
  let app: { client_id: string };
  let email: string;

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    db = new PgClient({ connectionString: system.db.url });
    await db.connect();
    app = await nativeClient(tenant, 'paths');
    email = `paths-${randomUUID().slice(0, 8)}@example.com`;
    await tenant.createUser(email, PASSWORD);
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  });

  const revoke = async (idToken: string) => {
    const credentialId = String(decodeJwt(idToken).credential_id);
    const res = await tenant.management('DELETE', `/device-credentials/${credentialId}`);
    expect(res.status).toBe(204);
    return credentialId;
  };
  const userinfo = (accessToken: string) =>
    tenant.json('GET', '/userinfo', undefined, { authorization: `Bearer ${accessToken}` });
  const expectInvalidToken = (res: Awaited<ReturnType<typeof userinfo>>) => {
    expect(outcome(res)).toEqual({ status: 401, body: INVALID_ACCESS_TOKEN });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  };
  /** Runs `check` with the projector stopped: the view lags behind every event written meanwhile. */
  const withProjectorStopped = async (check: () => Promise<void>) => {
    await system.projector!.stop();
    try {
      await check();
    } finally {
      await system.startProjector();
    }
  };

  describe('the id_token form of /delegation (point 8)', () => {
    it('refuses a credential-bound id_token once its refresh token is revoked, at return of the revoke with the projector stopped', async () => {
      const login = await passwordLogin(tenant, app.client_id, email, 'Bound phone');
      const delegated = (await delegate(tenant, app.client_id, login.refresh_token)).body.id_token as string;
      for (const idToken of [login.id_token, delegated]) {
        expect(decodeJwt(idToken).credential_id).toMatch(/^dcr_/);
        expect((await delegateIdToken(tenant, app.client_id, idToken)).status).toBe(200);
      }
      await withProjectorStopped(async () => {
        await revoke(login.id_token);
        for (const idToken of [login.id_token, delegated]) {
          expect(outcome(await delegateIdToken(tenant, app.client_id, idToken))).toEqual({
            status: 403,
            body: INVALID_ID_TOKEN,
          });
        }
      });
    });

    it('records IdTokenDelegated on the credential’s stream and a refusal in the failure log, as the refresh-token form does', async () => {
      const login = await passwordLogin(tenant, app.client_id, email, 'Recorded phone');
      const credentialId = String(decodeJwt(login.id_token).credential_id);
      const renewed = await delegateIdToken(tenant, app.client_id, login.id_token);
      expect(renewed.status).toBe(200);
      const { jti } = decodeJwt(renewed.body.id_token as string);
      const events = await db.query(
        `SELECT data FROM events WHERE stream_id = $1 AND type = 'IdTokenDelegated'`,
        [credentialId],
      );
      expect(events.rows.map((r: { data: { id_token_jti: string } }) => r.data.id_token_jti)).toEqual([jti]);
      expect(decodeJwt(renewed.body.id_token as string).credential_id).toBe(credentialId);

      await revoke(login.id_token);
      expect((await delegateIdToken(tenant, app.client_id, login.id_token)).status).toBe(403);
      const failures = await db.query(
        `SELECT reason, endpoint FROM delegation_failures WHERE credential_id = $1`,
        [credentialId],
      );
      expect(failures.rows).toEqual([{ reason: 'revoked', endpoint: 'delegation' }]);
    });

    it('never widens the scope of the presented id_token', async () => {
      const login = await passwordLogin(tenant, app.client_id, email, 'Narrow phone', {
        scope: 'openid offline_access',
      });
      const res = await delegate(tenant, app.client_id, undefined, {
        id_token: login.id_token,
        scope: 'openid profile email',
      });
      expect(res.status).toBe(200);
      const claims = decodeJwt(res.body.id_token as string);
      expect(claims.scope).toBe('openid');
      expect(claims.email).toBeUndefined();
      expect(claims.name).toBeUndefined();
    });

    it('does not renew an id_token that came from no refresh token past its own exp, however often renewed', async () => {
      const login = await passwordLogin(tenant, app.client_id, email, 'unused', { scope: 'openid email' });
      expect(login.refresh_token).toBeUndefined();
      const first = decodeJwt(login.id_token);
      expect(first.credential_id).toBeUndefined();
      let idToken = login.id_token;
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        const res = await delegate(tenant, app.client_id, undefined, { id_token: idToken, scope: 'openid' });
        expect(res.status).toBe(200);
        idToken = res.body.id_token as string;
        expect(decodeJwt(idToken).exp).toBeLessThanOrEqual(first.exp!);
        expect(res.body.expires_in).toBe(decodeJwt(idToken).exp! - decodeJwt(idToken).iat!);
      }
    });

    it('refuses a target that does not accept the jwt-bearer grant', async () => {
      const noDelegation = await tenant.createClient({
        name: 'No delegation',
        app_type: 'native',
        callbacks: ['com.example.nodelegation://cb'],
        grant_types: ['authorization_code', 'refresh_token'],
      });
      const login = await passwordLogin(tenant, app.client_id, email, 'Target phone');
      const byIdToken = await delegate(tenant, app.client_id, undefined, {
        id_token: login.id_token,
        target: noDelegation.client_id,
      });
      const byRefreshToken = await delegate(tenant, app.client_id, login.refresh_token, {
        target: noDelegation.client_id,
      });
      for (const res of [byIdToken, byRefreshToken]) {
        expect({ status: res.status, error: res.body.error }).toEqual({
          status: 403,
          error: 'unauthorized_client',
        });
      }
    });
  });

  describe('client authentication at /delegation (point 9)', () => {
    let web: { client_id: string; client_secret?: string };
    let refreshToken: string;

    beforeAll(async () => {
      web = await tenant.createClient({
        name: 'Confidential delegation',
        app_type: 'regular_web',
        callbacks: ['https://web.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token', 'password', JWT_BEARER],
        token_endpoint_auth_method: 'client_secret_post',
      });
      refreshToken = (
        await passwordLogin(tenant, web.client_id, email, 'Web', { client_secret: web.client_secret! })
      ).refresh_token;
    });

    it('refuses a confidential client without its secret or with a wrong one: 401 invalid_client', async () => {
      for (const extra of [{}, { client_secret: 'not-the-secret' }] as Record<string, string>[]) {
        const res = await delegate(tenant, web.client_id, refreshToken, extra);
        expect({ status: res.status, error: res.body.error }).toEqual({
          status: 401,
          error: 'invalid_client',
        });
      }
    });

    it('accepts the secret in the body or as HTTP Basic, as the refresh grant does', async () => {
      const body = await delegate(tenant, web.client_id, refreshToken, { client_secret: web.client_secret! });
      expect(body.status).toBe(200);
      const basic = `Basic ${Buffer.from(`${web.client_id}:${web.client_secret!}`).toString('base64')}`;
      expect((await delegate(tenant, web.client_id, refreshToken, {}, { authorization: basic })).status).toBe(
        200,
      );
    });
  });

  describe('access tokens at /userinfo (point 10)', () => {
    it('refuses an access token whose refresh token was revoked, at return of the revoke with the projector stopped', async () => {
      const login = await passwordLogin(tenant, app.client_id, email, 'Userinfo phone');
      const refreshed = (await refreshGrant(tenant, app.client_id, login.refresh_token)).body;
      const accessTokens = [login.access_token, refreshed.access_token as string];
      for (const token of accessTokens) {
        expect(decodeJwt(token).credential_id).toBe(decodeJwt(login.id_token).credential_id);
        expect((await userinfo(token)).status).toBe(200);
      }
      await withProjectorStopped(async () => {
        await revoke(login.id_token);
        for (const token of accessTokens) expectInvalidToken(await userinfo(token));
      });
    });

    it('refuses a blocked user’s access token', async () => {
      const other = `blocked-${randomUUID().slice(0, 8)}@example.com`;
      const user = await tenant.createUser(other, PASSWORD);
      const login = await passwordLogin(tenant, app.client_id, other, 'Blocked phone');
      expect((await userinfo(login.access_token)).status).toBe(200);
      await tenant.management('PATCH', `/users/${encodeURIComponent(user.user_id)}`, { blocked: true });
      expectInvalidToken(await userinfo(login.access_token));
    });
  });

  describe('PKCE downgrade (point 11)', () => {
    it('refuses a code_verifier for a code issued without code_challenge (RFC 9700 §2.1.1)', async () => {
      const web = await tenant.createClient({
        name: 'PKCE downgrade',
        app_type: 'regular_web',
        callbacks: ['https://pkce.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_post',
      });
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: web.client_id,
        redirect_uri: 'https://pkce.example.com/cb',
        scope: 'openid',
        state: 'st',
      });
      const code = (await browserLogin(system.url, query, { email, password: PASSWORD })).searchParams.get(
        'code',
      );
      const res = await tenant.form('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: web.client_id,
        client_secret: web.client_secret!,
        code: code!,
        redirect_uri: 'https://pkce.example.com/cb',
        code_verifier: 'a'.repeat(43),
      });
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 403, error: 'invalid_grant' });
    });
  });
});
