import { createHash, randomBytes } from 'node:crypto';
import { MANAGEMENT, TenantClient } from '@libs/testing';
import { JWT_BEARER } from '../../fixtures/oauth';

export { JWT_BEARER };
export const CALLBACK = 'https://app.example.com/callback';
export const PASSWORD = 'fuzz-correct-horse-battery';
export const DASHBOARD_ADMIN = { email: 'fuzz-admin@example.com', password: 'fuzz-dashboard-password-0123' };

/** Real credentials of a freshly started tenant: what lets fuzzed requests get past the first checks. */
export interface TenantSeeds {
  native: { client_id: string };
  web: { client_id: string; client_secret: string };
  user: { user_id: string; email: string };
  /** Users the destructive operations (PATCH, DELETE, unlink) may block, delete or unlink. */
  victims: Array<{ user_id: string; email: string }>;
  refreshToken: string;
  idToken: string;
  userAccessToken: string;
  /** Refresh tokens of a victim: for `/oauth/revoke`. */
  victimRefreshTokens: string[];
  victimCredentialIds: string[];
  managementToken: string;
  /** A Management API token holding `read:users` only. */
  limitedManagementToken: string;
  codeVerifier: string;
  codeChallenge: string;
  /** Authorization codes (each works once). */
  codes: string[];
  authorize: { cookie: string; csrfToken: string; loginState: string };
  dashboard: {
    loginCookie: string;
    loginCsrf: string;
    /** The session the fuzzer browses with, and its forms' CSRF token. */
    session: string;
    sessionCsrf: string;
    /** A second session, for `POST /dashboard/logout` to end. */
    logoutSession: string;
    logoutCsrf: string;
  };
}

const field = (html: string, name: string) => {
  const found = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!found) throw new Error(`no ${name} field in the page`);
  return found[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"');
};
const cookieOf = (res: Response, name: string) => {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!set) throw new Error(`no ${name} cookie`);
  return set.split(';')[0];
};

async function passwordGrant(tenant: TenantClient, clientId: string, email: string, device: string) {
  const res = await tenant.form('/oauth/token', {
    grant_type: 'password',
    client_id: clientId,
    username: email,
    password: PASSWORD,
    scope: 'openid profile email offline_access',
    device,
  });
  if (res.status !== 200) throw new Error(`password grant failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { refresh_token: string; id_token: string; access_token: string };
}

async function managementToken(tenant: TenantClient, id: string, secret: string, scope?: string) {
  const res = await tenant.form('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: id,
    client_secret: secret,
    audience: `${tenant.url}/api/v2/`,
    ...(scope ? { scope } : {}),
  });
  if (res.status !== 200)
    throw new Error(`client_credentials failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { access_token: string }).access_token;
}

async function dashboardSession(url: string): Promise<{ session: string; csrf: string }> {
  const page = await fetch(`${url}/dashboard/login`);
  const loginCookie = cookieOf(page, 'dashboard_login');
  const login = await fetch(`${url}/dashboard/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie, origin: url },
    body: new URLSearchParams({ csrf_token: field(await page.text(), 'csrf_token'), ...DASHBOARD_ADMIN }),
  });
  if (login.status !== 303) throw new Error(`dashboard login failed: ${login.status}`);
  const session = cookieOf(login, 'dashboard_session');
  const users = await fetch(`${url}/dashboard/users`, { headers: { cookie: session } });
  return { session, csrf: field(await users.text(), 'csrf_token') };
}

/**
 * Creates what fuzzing needs on a running tenant: a public (native) and a confidential (web) application,
 * users with refresh tokens, Management API tokens, authorization codes, an /authorize login form and
 * dashboard sessions. The dashboard administrator must be `DASHBOARD_ADMIN` (set through the environment).
 */
export async function seedTenant(url: string): Promise<TenantSeeds> {
  const tenant = new TenantClient(url);
  const native = await tenant.createClient({
    name: 'Fuzz native',
    app_type: 'native',
    callbacks: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token', 'password', JWT_BEARER],
  });
  const web = await tenant.createClient({
    name: 'Fuzz web',
    app_type: 'regular_web',
    callbacks: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token', 'password', 'client_credentials', JWT_BEARER],
    management_api_scopes: ['read:users'],
  });
  const user = await tenant.createUser('fuzz-user@example.com', PASSWORD);
  const victims = [
    await tenant.createUser('fuzz-victim-1@example.com', PASSWORD),
    await tenant.createUser('fuzz-victim-2@example.com', PASSWORD),
  ];
  const tokens = await passwordGrant(tenant, native.client_id, user.email, 'Fuzz Phone');
  const victimTokens = [];
  for (const device of ['Victim Phone', 'Victim Phone', 'Victim Tablet']) {
    victimTokens.push(await passwordGrant(tenant, native.client_id, victims[0].email, device));
  }
  const fullToken = await managementToken(tenant, MANAGEMENT.clientId, MANAGEMENT.clientSecret);
  const listed = await tenant.json(
    'GET',
    `/api/v2/device-credentials?user_id=${encodeURIComponent(victims[0].user_id)}`,
    undefined,
    {
      authorization: `Bearer ${fullToken}`,
    },
  );

  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: native.client_id,
    redirect_uri: CALLBACK,
    scope: 'openid profile offline_access',
    device: 'Fuzz Tablet',
    state: 'fuzz-state',
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  });
  const page = await fetch(`${url}/authorize?${query}`);
  const html = await page.text();
  const authorize = {
    cookie: cookieOf(page, 'authorize_csrf'),
    csrfToken: field(html, 'csrf_token'),
    loginState: field(html, 'login_state'),
  };
  const codes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const login = await fetch(`${url}/authorize/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: authorize.cookie },
      body: new URLSearchParams({
        csrf_token: authorize.csrfToken,
        login_state: authorize.loginState,
        email: user.email,
        password: PASSWORD,
      }),
    });
    const code = new URL(login.headers.get('location') ?? 'x:/').searchParams.get('code');
    if (!code) throw new Error(`no code from /authorize/login: ${login.status}`);
    codes.push(code);
  }

  const loginPage = await fetch(`${url}/dashboard/login`);
  const main = await dashboardSession(url);
  const logout = await dashboardSession(url);
  return {
    native,
    web: { client_id: web.client_id, client_secret: web.client_secret! },
    user,
    victims,
    refreshToken: tokens.refresh_token,
    idToken: tokens.id_token,
    userAccessToken: tokens.access_token,
    victimRefreshTokens: victimTokens.map((t) => t.refresh_token),
    victimCredentialIds: (listed.body as Array<{ id: string }>).map((c) => c.id),
    managementToken: fullToken,
    limitedManagementToken: await managementToken(tenant, web.client_id, web.client_secret!, 'read:users'),
    codeVerifier,
    codeChallenge,
    codes,
    authorize,
    dashboard: {
      loginCookie: cookieOf(loginPage, 'dashboard_login'),
      loginCsrf: field(await loginPage.text(), 'csrf_token'),
      session: main.session,
      sessionCsrf: main.csrf,
      logoutSession: logout.session,
      logoutCsrf: logout.csrf,
    },
  };
}
