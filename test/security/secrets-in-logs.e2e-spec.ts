import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '@libs/config';
import { eventTopic } from '@libs/messaging';
import { SecretKeys, type KeyPurpose } from '@libs/security';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import { delegate, delegateIdToken, JWT_BEARER, pkce, refreshGrant } from '../fixtures/oauth';

jest.setTimeout(240_000);

const SERVER_SECRET = `server-secret-${randomBytes(24).toString('base64url')}`;
const MANAGEMENT_SECRET = `management-secret-${randomBytes(24).toString('base64url')}`;
const ADMIN = {
  email: 'logs-admin@example.com',
  password: `dashboard-${randomBytes(12).toString('base64url')}`,
};
const CALLBACK = 'com.example.logs://callback';
const KEY_PURPOSES: KeyPurpose[] = [
  'refresh-token-hash',
  'authorization-code-hash',
  'csrf',
  'signing-key-encryption',
  'session',
];

const hidden = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const setCookie = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1) ?? '';

/** Every form a value may take in a log line: as is, URL- or form-encoded, JSON-escaped. */
function spellings(value: string): string[] {
  return [
    ...new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
    ]),
  ];
}

/**
 * Security regression suite, property 7: secrets never reach the logs. The whole system runs at
 * LOG_LEVEL=trace (the most talkative) while one run goes through every flow that carries a secret; then
 * every line the api and the projector wrote (stdout and stderr) is searched for every secret seen.
 */
describe('security: no secret reaches the logs, even at LOG_LEVEL=trace (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  /** label → secret value, filled by the run. */
  const secrets = new Map<string, string>();
  const keep = (label: string, value: unknown) => {
    if (typeof value !== 'string' || value.length < 12)
      throw new Error(`no usable secret for ${label}: ${value}`);
    secrets.set(label, value);
    // A JWT's signature alone must not leak either.
    const parts = value.split('.');
    if (parts.length === 3 && parts[2].length > 20) secrets.set(`${label} (signature)`, parts[2]);
    return value;
  };
  let tokenHashes: string[] = [];
  let logs: string[] = [];

  beforeAll(async () => {
    system = await startSystem({
      env: {
        LOG_LEVEL: 'trace',
        SERVER_SECRET,
        MANAGEMENT_CLIENT_SECRET: MANAGEMENT_SECRET,
        DASHBOARD_ADMIN_EMAIL: ADMIN.email,
        DASHBOARD_ADMIN_PASSWORD: ADMIN.password,
      },
    });
    tenant = new TenantClient(system.url);
    keep('SERVER_SECRET', SERVER_SECRET);
    keep('MANAGEMENT_CLIENT_SECRET', MANAGEMENT_SECRET);
    keep('DASHBOARD_ADMIN_PASSWORD', ADMIN.password);
    const keys = SecretKeys.fromConfig(loadConfig(system.env));
    for (const purpose of KEY_PURPOSES) {
      keep(`derived key ${purpose} (base64url)`, keys.key(purpose).toString('base64url'));
      keep(`derived key ${purpose} (hex)`, keys.key(purpose).toString('hex'));
    }
    const managementId = system.env.MANAGEMENT_CLIENT_ID;
    const audience = `${system.url}/api/v2/`;
    const mgmt = (method: string, path: string, body?: unknown) =>
      tenant.json(method, `/api/v2${path}`, body, {
        authorization: `Bearer ${secrets.get('management token')}`,
      });

    // Management API tokens: secret in the body, then in HTTP Basic.
    keep(
      'management token',
      (
        await tenant.form('/oauth/token', {
          grant_type: 'client_credentials',
          client_id: managementId,
          client_secret: MANAGEMENT_SECRET,
          audience,
        })
      ).body.access_token,
    );
    const basic = Buffer.from(`${managementId}:${MANAGEMENT_SECRET}`).toString('base64');
    keep(
      'management token (Basic)',
      (
        await tenant.form(
          '/oauth/token',
          { grant_type: 'client_credentials', audience },
          { authorization: `Basic ${basic}` },
        )
      ).body.access_token,
    );
    keep('Basic credentials', basic);
    await tenant.form('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: managementId,
      client_secret: `${MANAGEMENT_SECRET}-typo`,
      audience,
    });
    keep('wrong client secret', `${MANAGEMENT_SECRET}-typo`);

    // Applications and a user.
    const native = (
      await mgmt('POST', '/clients', {
        name: 'Logs app',
        app_type: 'native',
        callbacks: [CALLBACK],
        grant_types: ['authorization_code', 'refresh_token', JWT_BEARER, 'password'],
      })
    ).body.client_id as string;
    const web = await mgmt('POST', '/clients', {
      name: 'Logs web',
      app_type: 'regular_web',
      callbacks: ['https://web.example.com/cb'],
      grant_types: ['authorization_code', 'refresh_token', 'password'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const webId = web.body.client_id as string;
    keep('client_secret', web.body.client_secret);
    const email = `logs-${randomUUID().slice(0, 8)}@example.com`;
    const firstPassword = keep(
      'user password (at creation)',
      `first-${randomBytes(12).toString('base64url')}`,
    );
    const user = (
      await mgmt('POST', '/users', {
        connection: 'Username-Password-Authentication',
        email,
        password: firstPassword,
      })
    ).body as { user_id: string };
    const password = keep('user password (changed)', `second-${randomBytes(12).toString('base64url')}`);
    await mgmt('PATCH', `/users/${encodeURIComponent(user.user_id)}`, { password });

    // The browser login with PKCE, a wrong password first, then the code exchange.
    const browserLogin = async (device: string) => {
      const { verifier, challenge } = pkce();
      keep(`PKCE verifier (${device})`, verifier);
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: native,
        redirect_uri: CALLBACK,
        scope: 'openid profile email offline_access',
        device,
        state: `state-${randomBytes(8).toString('hex')}`,
        nonce: `nonce-${randomBytes(8).toString('hex')}`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const page = await fetch(`${system.url}/authorize?${query}`);
      const html = await page.text();
      const csrf = keep(`/authorize CSRF token (${device})`, setCookie(page, 'authorize_csrf'));
      keep(`/authorize login_state (${device})`, hidden(html, 'login_state'));
      const submit = (pw: string, loginState: string) =>
        fetch(`${system.url}/authorize/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `authorize_csrf=${csrf}` },
          body: new URLSearchParams({ csrf_token: csrf, login_state: loginState, email, password: pw }),
        });
      const wrong = keep(`mistyped password (${device})`, `${password}x`);
      const retry = await submit(wrong, hidden(html, 'login_state'));
      const loginState = keep(
        `/authorize login_state, retry (${device})`,
        hidden(await retry.text(), 'login_state'),
      );
      const redirect = await submit(password, loginState);
      const code = keep(
        `authorization code (${device})`,
        new URL(redirect.headers.get('location')!).searchParams.get('code'),
      );
      const tokens = await tenant.form('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: native,
        code,
        code_verifier: verifier,
        redirect_uri: CALLBACK,
      });
      keep(`access token (code, ${device})`, tokens.body.access_token);
      keep(`id_token (code, ${device})`, tokens.body.id_token);
      return { code, verifier, refreshToken: keep(`refresh token (${device})`, tokens.body.refresh_token) };
    };
    const phone = await browserLogin('Phone');
    const replayed = await browserLogin('Replayed tablet');
    await tenant.form('/oauth/token', {
      grant_type: 'authorization_code',
      client_id: native,
      code: replayed.code,
      code_verifier: replayed.verifier,
      redirect_uri: CALLBACK,
    });

    // Every way of exchanging a refresh token, and a guessed one.
    const refreshed = await refreshGrant(tenant, native, phone.refreshToken);
    keep('access token (refresh grant)', refreshed.body.access_token);
    keep('id_token (refresh grant)', refreshed.body.id_token);
    const delegated = keep(
      'id_token (/delegation)',
      (await delegate(tenant, native, phone.refreshToken)).body.id_token,
    );
    // A refresh token in a GET URL is refused (issue 19 finding 11), and its URL is still never logged.
    const query = new URLSearchParams({
      client_id: native,
      grant_type: JWT_BEARER,
      refresh_token: phone.refreshToken,
    });
    expect((await fetch(`${system.url}/delegation?${query}`)).status).toBe(400);
    query.set('callback', 'cb');
    await fetch(`${system.url}/delegation?${query}`);
    // What GET /delegation still serves: auth0.js v7's JSONP renewal of an id_token.
    const renewal = new URLSearchParams({ client_id: native, grant_type: JWT_BEARER, id_token: delegated });
    keep(
      'id_token (GET /delegation)',
      ((await (await fetch(`${system.url}/delegation?${renewal}`)).json()) as { id_token: string }).id_token,
    );
    keep('id_token (id_token /delegation)', (await delegateIdToken(tenant, native, delegated)).body.id_token);
    await delegate(tenant, native, keep('guessed refresh token', randomBytes(32).toString('base64url')));
    await refreshGrant(tenant, native, phone.refreshToken, { scope: 'openid admin' });

    // The confidential client: password grant, refresh with HTTP Basic, then revocation.
    const webLogin = await tenant.form('/oauth/token', {
      grant_type: 'password',
      client_id: webId,
      client_secret: secrets.get('client_secret')!,
      username: email,
      password,
      scope: 'openid offline_access',
      device: 'Laptop',
    });
    const webToken = keep('refresh token (password grant)', webLogin.body.refresh_token);
    keep('access token (password grant)', webLogin.body.access_token);
    const webBasic = keep(
      'client Basic credentials',
      Buffer.from(`${webId}:${secrets.get('client_secret')}`).toString('base64'),
    );
    const webRefresh = await tenant.form(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: webToken },
      { authorization: `Basic ${webBasic}` },
    );
    keep('access token (Basic refresh)', webRefresh.body.access_token);
    await tenant.json('GET', '/userinfo', undefined, {
      authorization: `Bearer ${webRefresh.body.access_token}`,
    });
    await tenant.form('/oauth/revoke', {
      client_id: webId,
      client_secret: secrets.get('client_secret')!,
      token: webToken,
    });

    // Two more devices: one for the dashboard to unlink, one for blocking the user to revoke.
    const nativeLogin = async (device: string) => {
      const res = await tenant.form('/oauth/token', {
        grant_type: 'password',
        client_id: native,
        username: email,
        password,
        scope: 'openid offline_access',
        device,
      });
      keep(`access token (${device})`, res.body.access_token);
      keep(`id_token (${device})`, res.body.id_token);
      keep(`refresh token (${device})`, res.body.refresh_token);
    };
    await nativeLogin('Kitchen tablet');
    await nativeLogin('Watch');

    // The Management API revokes the phone's credential once the projection lists it.
    const listed = await eventually(async () => {
      const res = await mgmt('GET', `/device-credentials?user_id=${encodeURIComponent(user.user_id)}`);
      const devices = res.body as Array<{ id: string; device_name: string }>;
      return (
        devices.some((c) => c.device_name === 'Kitchen tablet') &&
        devices.find((c) => c.device_name === 'Phone')?.id
      );
    }, 30_000);
    await mgmt('DELETE', `/device-credentials/${listed}`);

    // The dashboard: a wrong password, the login, a page, an unlink, the logout.
    const origin = { origin: new URL(system.url).origin };
    const loginPage = await fetch(`${system.url}/dashboard/login`);
    const loginCookie = keep('dashboard login-form cookie', setCookie(loginPage, 'dashboard_login'));
    const loginCsrf = keep('dashboard login CSRF token', hidden(await loginPage.text(), 'csrf_token'));
    const dashboardPost = (path: string, fields: Record<string, string>, cookie: string) =>
      fetch(`${system.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...origin },
        body: new URLSearchParams(fields),
      });
    const adminTypo = keep('mistyped dashboard password', `${ADMIN.password}!`);
    await dashboardPost(
      '/dashboard/login',
      { csrf_token: loginCsrf, email: ADMIN.email, password: adminTypo },
      `dashboard_login=${loginCookie}`,
    );
    const signedIn = await dashboardPost(
      '/dashboard/login',
      { csrf_token: loginCsrf, email: ADMIN.email, password: ADMIN.password },
      `dashboard_login=${loginCookie}`,
    );
    const session = keep('dashboard session cookie', setCookie(signedIn, 'dashboard_session'));
    const userPage = await fetch(`${system.url}/dashboard/users/${encodeURIComponent(user.user_id)}`, {
      headers: { cookie: `dashboard_session=${session}` },
    });
    const sessionCsrf = keep('dashboard session CSRF token', hidden(await userPage.text(), 'csrf_token'));
    await dashboardPost(
      `/dashboard/users/${encodeURIComponent(user.user_id)}/devices/unlink`,
      { csrf_token: sessionCsrf, client_id: native, device: 'Kitchen tablet' },
      `dashboard_session=${session}`,
    );
    await dashboardPost('/dashboard/logout', { csrf_token: sessionCsrf }, `dashboard_session=${session}`);

    // Blocking and deleting the user revoke what is left.
    await mgmt('PATCH', `/users/${encodeURIComponent(user.user_id)}`, { blocked: true });
    await mgmt('DELETE', `/users/${encodeURIComponent(user.user_id)}`);

    // Let the projector apply every event (and log what it logs about them) before reading the logs.
    const { Client } = await import('pg');
    const db = new Client({ connectionString: system.db.url });
    await db.connect();
    try {
      await eventually(async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS credentials, count(*) FILTER (WHERE status = 'revoked')::int AS revoked
             FROM device_credentials`,
        );
        return rows[0].credentials === 5 && rows[0].revoked === 5;
      }, 60_000);
      tokenHashes = (
        await db.query<{ hash: string }>(
          `SELECT data->>'token_hash' AS hash FROM events WHERE type = 'TokenIssued'`,
        )
      ).rows.map((r) => r.hash);
    } finally {
      await db.end();
    }
    await system.stop();
    logs = [
      ...system.api.lines,
      ...system.api.stderr,
      ...(system.projector?.lines ?? []),
      ...(system.projector?.stderr ?? []),
    ];
  });
  afterAll(async () => {
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  });

  it('ran every flow at trace level and logged it (the search has something to search)', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(45);
    expect(logs.filter((line) => line.includes('"msg":"request completed"')).length).toBeGreaterThanOrEqual(
      35,
    );
    const logged = (text: string) => logs.some((line) => line.includes(text));
    const paths = [
      '"/oauth/token"',
      '"/delegation"',
      '"/authorize"',
      '"/authorize/login"',
      '"/userinfo"',
      '"/oauth/revoke"',
      '"/api/v2/clients"',
      '"/api/v2/users"',
      '"/dashboard/login"',
      '"/dashboard/logout"',
    ];
    expect(paths.filter((path) => !logged(path))).toEqual([]);
    expect(logged('"service":"projector"')).toBe(true);
  });

  it('writes none of the secrets seen in the run, in any spelling, to any log line of the api or projector', () => {
    const leaks: string[] = [];
    for (const [label, value] of secrets) {
      for (const spelling of spellings(value)) {
        const lines = logs.filter((line) => line.includes(spelling));
        if (lines.length > 0) leaks.push(`${label}: ${lines.length} line(s), e.g. ${lines[0].slice(0, 300)}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('writes no refresh token’s keyed hash either (not a secret, but it names a credential: events only)', () => {
    expect(tokenHashes).toHaveLength(5);
    const leaks = tokenHashes.filter((hash) => logs.some((line) => line.includes(hash)));
    expect(leaks).toEqual([]);
  });
});
