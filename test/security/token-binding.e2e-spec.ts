import { randomUUID } from 'node:crypto';
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
  INVALID_REFRESH_TOKEN,
  nativeClient,
  outcome,
  PASSWORD,
  passwordLogin,
  pkce,
  refreshGrant,
  webClient,
} from '../fixtures/oauth';

jest.setTimeout(120_000);

const CALLBACK = 'com.example.bound://callback';

/**
 * Security regression suite, properties 1 and 2: a refresh token is bound to the client it was issued to,
 * and an authorization code works once, with its redirect_uri, its PKCE verifier and its client.
 */
describe('security: tokens and codes are bound to what they were issued for (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };
  let other: { client_id: string };
  let web: { client_id: string; client_secret?: string };
  let email: string;

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    app = await nativeClient(tenant, 'Bound app', CALLBACK);
    other = await nativeClient(tenant, 'Other app', 'com.example.other://callback');
    web = await webClient(tenant, 'Confidential web app');
    email = `bound-${randomUUID().slice(0, 8)}@example.com`;
    await tenant.createUser(email, PASSWORD);
  });
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  });

  describe('a refresh token works only for its client', () => {
    it('is refused at /delegation when another client presents it, and still works for its own', async () => {
      const { refresh_token } = await passwordLogin(tenant, app.client_id, email, 'Delegation phone');
      expect(outcome(await delegate(tenant, other.client_id, refresh_token))).toEqual({
        status: 403,
        body: INVALID_REFRESH_TOKEN,
      });
      // The foreign presentation neither worked nor burnt the token for its owner.
      expect((await delegate(tenant, app.client_id, refresh_token)).status).toBe(200);
    });

    it('is refused at the refresh_token grant when another client presents it, and still works for its own', async () => {
      const { refresh_token } = await passwordLogin(tenant, app.client_id, email, 'Grant phone');
      expect(outcome(await refreshGrant(tenant, other.client_id, refresh_token))).toEqual({
        status: 403,
        body: INVALID_REFRESH_TOKEN,
      });
      expect((await refreshGrant(tenant, app.client_id, refresh_token)).status).toBe(200);
    });

    it('is refused at /delegation when the other client asks for an id_token for the owner (target)', async () => {
      const { refresh_token } = await passwordLogin(tenant, app.client_id, email, 'Target phone');
      const res = await delegate(tenant, other.client_id, refresh_token, { target: app.client_id });
      expect(outcome(res)).toEqual({ status: 403, body: INVALID_REFRESH_TOKEN });
    });

    it('of a confidential client needs that client’s secret at the refresh_token grant', async () => {
      const { refresh_token } = await passwordLogin(tenant, web.client_id, email, 'Web browser', {
        client_secret: web.client_secret!,
      });
      expect((await refreshGrant(tenant, web.client_id, refresh_token)).body.error).toBe('invalid_client');
      const wrong = await refreshGrant(tenant, web.client_id, refresh_token, { client_secret: 'not-it' });
      expect(wrong.status).toBe(401);
      const right = await refreshGrant(tenant, web.client_id, refresh_token, {
        client_secret: web.client_secret!,
      });
      expect(right.status).toBe(200);
    });
  });

  describe('an authorization code', () => {
    /** Logs in through the browser flow with PKCE (S256); returns the code and its verifier. */
    const authorize = async () => {
      const { verifier, challenge } = pkce();
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: CALLBACK,
        scope: 'openid offline_access',
        device: 'Code phone',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const location = await browserLogin(system.url, query, { email, password: PASSWORD });
      const code = location.searchParams.get('code');
      if (!code) throw new Error(`no code in ${location.href}`);
      return { code, verifier };
    };
    const exchange = (code: string, verifier: string | undefined, extra: Record<string, string> = {}) =>
      tenant.form('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: app.client_id,
        code,
        ...(verifier === undefined ? {} : { code_verifier: verifier }),
        redirect_uri: CALLBACK,
        ...extra,
      });
    const authorizeRedirect = async (params: Record<string, string>) => {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: CALLBACK,
        scope: 'openid',
        state: 'st',
        ...params,
      });
      const res = await fetch(`${system.url}/authorize?${query}`, { redirect: 'manual' });
      return { status: res.status, location: new URL(res.headers.get('location') ?? 'about:blank') };
    };

    it('works only once: a replay is invalid_grant and revokes the refresh token the code issued, at both endpoints', async () => {
      const { code, verifier } = await authorize();
      const first = await exchange(code, verifier);
      expect(first.status).toBe(200);
      const refreshToken = first.body.refresh_token as string;
      expect((await delegate(tenant, app.client_id, refreshToken)).status).toBe(200);

      const replay = await exchange(code, verifier);
      expect(replay.status).toBe(403);
      expect(replay.body.error).toBe('invalid_grant');
      expect(replay.body.refresh_token).toBeUndefined();

      expect(outcome(await delegate(tenant, app.client_id, refreshToken))).toEqual({
        status: 403,
        body: INVALID_REFRESH_TOKEN,
      });
      expect(outcome(await refreshGrant(tenant, app.client_id, refreshToken))).toEqual({
        status: 403,
        body: INVALID_REFRESH_TOKEN,
      });
    });

    it('works only with the redirect_uri of its authorization request, and a wrong one spends it', async () => {
      const { code, verifier } = await authorize();
      for (const redirectUri of ['com.example.bound://other', `${CALLBACK}/`, `${CALLBACK}?x=1`]) {
        const res = await exchange(code, verifier, { redirect_uri: redirectUri });
        expect([redirectUri, res.status, res.body.error]).toEqual([redirectUri, 403, 'invalid_grant']);
      }
      const withoutRedirectUri = await tenant.form('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: app.client_id,
        code,
        code_verifier: verifier,
      });
      expect(withoutRedirectUri.status).toBe(403);
      // The failed attempts used the code up: the right redirect_uri no longer gets tokens either.
      const late = await exchange(code, verifier);
      expect(late.status).toBe(403);
      expect(late.body.refresh_token).toBeUndefined();
    });

    it('works only with its PKCE verifier: a wrong or missing verifier is invalid_grant and spends it', async () => {
      const wrong = await authorize();
      const res = await exchange(wrong.code, pkce().verifier);
      expect(outcome(res)).toEqual({
        status: 403,
        body: { error: 'invalid_grant', error_description: 'Failed to verify code_verifier.' },
      });
      expect((await exchange(wrong.code, wrong.verifier)).status).toBe(403);

      const missing = await authorize();
      expect((await exchange(missing.code, undefined)).status).toBe(403);
      expect((await exchange(missing.code, missing.verifier)).status).toBe(403);

      const malformed = await authorize();
      expect((await exchange(malformed.code, 'short')).body.error).toBe('invalid_request');
    });

    it('works only for the client it was issued to', async () => {
      const { code, verifier } = await authorize();
      const res = await exchange(code, verifier, { client_id: other.client_id });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('invalid_grant');
      expect(res.body.refresh_token).toBeUndefined();
    });

    it('is never issued for code_challenge_method=plain (S256 only)', async () => {
      const { verifier } = pkce();
      const res = await authorizeRedirect({ code_challenge: verifier, code_challenge_method: 'plain' });
      expect(res.status).toBe(302);
      expect(res.location.searchParams.get('error')).toBe('invalid_request');
      expect(res.location.searchParams.get('code')).toBeNull();
    });

    it('is never issued to a public client that sends no PKCE challenge', async () => {
      for (const params of [{}, { code_challenge_method: 'S256' }] as Record<string, string>[]) {
        const res = await authorizeRedirect(params);
        expect(res.status).toBe(302);
        expect(res.location.searchParams.get('error')).toBe('invalid_request');
        expect(res.location.searchParams.get('code')).toBeNull();
      }
    });
  });
});
