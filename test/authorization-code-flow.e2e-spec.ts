import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { eventTopic } from '@libs/messaging';
import {
  browserLogin,
  deleteTopics,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import { JWT_BEARER, PASSWORD } from './fixtures/oauth';

const CALLBACK = 'com.example.mobile://callback';

/**
 * The code + PKCE flow with offline_access, end to end: /authorize → login → code → /oauth/token →
 * refresh token → /delegation → an id_token verified with jose against the served JWKS. And the code's
 * rules: once, with its redirect_uri and verifier; a replay revokes what the code issued.
 */
describe('authorization code + PKCE → refresh token → /delegation (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };
  let email: string;

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    app = await tenant.createClient({
      name: 'Mobile',
      app_type: 'native',
      callbacks: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token', JWT_BEARER],
    });
    email = `pkce-${randomUUID().slice(0, 8)}@example.com`;
    await tenant.createUser(email, PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  /** Logs in through the browser flow; returns the code and the PKCE verifier that goes with it. */
  const authorize = async (extra: Record<string, string> = {}) => {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: CALLBACK,
      scope: 'openid profile email offline_access',
      device: 'Pixel 9',
      state: 'state-1',
      nonce: 'nonce-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    });
    const location = await browserLogin(system.url, query, { email, password: PASSWORD });
    expect(`${location.protocol}//${location.host}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('state-1');
    return { code: location.searchParams.get('code')!, verifier };
  };
  const exchange = (code: string, verifier: string, extra: Record<string, string> = {}) =>
    tenant.form('/oauth/token', {
      grant_type: 'authorization_code',
      client_id: app.client_id,
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
      ...extra,
    });
  const delegate = (refreshToken: string) =>
    tenant.json('POST', '/delegation', {
      client_id: app.client_id,
      grant_type: JWT_BEARER,
      refresh_token: refreshToken,
    });

  it('ends in an id_token from /delegation that verifies against the JWKS', async () => {
    const { code, verifier } = await authorize();
    const tokens = await exchange(code, verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({
      token_type: 'Bearer',
      refresh_token: expect.any(String),
      id_token: expect.any(String),
    });

    const jwks = createRemoteJWKSet(new URL(`${system.url}/.well-known/jwks.json`));
    const first = await jwtVerify(tokens.body.id_token, jwks, {
      issuer: `${system.url}/`,
      audience: app.client_id,
    });
    expect(first.payload).toMatchObject({ nonce: 'nonce-1', email, auth_time: expect.any(Number) });

    const delegated = await delegate(tokens.body.refresh_token);
    expect(delegated.status).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(delegated.body.id_token, jwks, {
      issuer: `${system.url}/`,
      audience: app.client_id,
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ sub: first.payload.sub, azp: app.client_id });
    expect(payload.exp! - payload.iat!).toBe(36000);
  });

  it('works only once: a replayed code fails and revokes the refresh token it issued', async () => {
    const { code, verifier } = await authorize();
    const tokens = await exchange(code, verifier);
    expect((await delegate(tokens.body.refresh_token)).status).toBe(200);
    const replay = await exchange(code, verifier);
    expect(replay.status).toBe(403);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await delegate(tokens.body.refresh_token)).body).toEqual({
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
  });

  it('needs the PKCE verifier that matches the challenge', async () => {
    const { code } = await authorize();
    const res = await exchange(code, randomBytes(32).toString('base64url'));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Failed to verify code_verifier.',
    });
  });

  it('needs the redirect_uri of the authorization request', async () => {
    const { code, verifier } = await authorize();
    const res = await exchange(code, verifier, { redirect_uri: 'com.example.mobile://other' });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('is bound to its client', async () => {
    const other = await tenant.createClient({ name: 'Other', app_type: 'native', callbacks: [CALLBACK] });
    const { code, verifier } = await authorize();
    const res = await exchange(code, verifier, { client_id: other.client_id });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('refuses a public client without PKCE, and plain PKCE, at /authorize', async () => {
    const variants: Record<string, string>[] = [
      { code_challenge: '', code_challenge_method: '' },
      { code_challenge_method: 'plain' },
    ];
    for (const extra of variants) {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: CALLBACK,
        scope: 'openid',
        state: 's',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      });
      for (const [key, value] of Object.entries(extra)) query.set(key, value);
      const res = await fetch(`${system.url}/authorize?${query}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    }
  });

  it('refuses offline_access without a device at /authorize', async () => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: CALLBACK,
      scope: 'openid offline_access',
      state: 's',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const res = await fetch(`${system.url}/authorize?${query}`, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toBe(
      'The device parameter is required when requesting offline_access.',
    );
  });

  it('never logs the code', async () => {
    const { code, verifier } = await authorize();
    await exchange(code, verifier);
    await new Promise((r) => setTimeout(r, 200));
    expect([...system.api.lines, ...system.api.stderr].join('\n')).not.toContain(code);
  });
});
