import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import { delegate, nativeClient, PASSWORD, passwordLogin } from '../fixtures/oauth';

jest.setTimeout(120_000);

const ADMIN = { email: 'csrf-admin@example.com', password: 'csrf suite dashboard password' };
const EVIL = 'https://evil.example';

const hidden = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const cookieValue = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1) ?? '';

/**
 * Security regression suite, property 8: the dashboard refuses cross-site form posts — an Origin of another
 * site (or `null`), a request with neither Origin nor Referer, a Referer from another site, a
 * `Sec-Fetch-Site: cross-site`, and a missing, foreign or wrong CSRF token — for the login form, Unlink and
 * Logout, and nothing changes. The same posts from our own pages succeed (the control).
 */
describe('security: the dashboard refuses cross-site form posts (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };
  let user: { user_id: string; email: string };
  let refreshToken: string;
  let origin: string;

  const form = (
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string>,
    cookies: Record<string, string> = {},
  ) =>
    fetch(`${system.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: Object.entries(cookies)
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
  const sameOrigin = () => ({ origin, 'sec-fetch-site': 'same-origin' });
  const openLogin = async () => {
    const page = await fetch(`${system.url}/dashboard/login`);
    return { cookie: cookieValue(page, 'dashboard_login'), csrf: hidden(await page.text(), 'csrf_token') };
  };
  const signIn = async () => {
    const page = await openLogin();
    const res = await form(
      '/dashboard/login',
      { csrf_token: page.csrf, email: ADMIN.email, password: ADMIN.password },
      sameOrigin(),
      { dashboard_login: page.cookie },
    );
    expect(res.status).toBe(303);
    const session = cookieValue(res, 'dashboard_session');
    const users = await fetch(`${system.url}/dashboard/users`, {
      headers: { cookie: `dashboard_session=${session}` },
    });
    return { session, csrf: hidden(await users.text(), 'csrf_token') };
  };
  const unlinkPath = () => `/dashboard/users/${encodeURIComponent(user.user_id)}/devices/unlink`;
  const unlinkFields = () => ({ client_id: app.client_id, device: 'Tablet' });

  /** The cross-site variants of a request otherwise sent from our own pages. */
  const crossSite = (): Array<[string, Record<string, string>]> => [
    ['Origin of another site', { origin: EVIL }],
    ['Origin null (sandboxed or privacy-stripped)', { origin: 'null' }],
    ['our Origin with another scheme', { origin: origin.replace('http:', 'https:') }],
    ['neither Origin nor Referer', {}],
    ['no Origin and a Referer of another site', { referer: `${EVIL}/page` }],
    ['Sec-Fetch-Site: cross-site with our Origin', { origin, 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site with our Origin', { origin, 'sec-fetch-site': 'same-site' }],
  ];

  beforeAll(async () => {
    system = await startSystem({
      env: { DASHBOARD_ADMIN_EMAIL: ADMIN.email, DASHBOARD_ADMIN_PASSWORD: ADMIN.password },
    });
    origin = new URL(system.url).origin;
    tenant = new TenantClient(system.url);
    app = await nativeClient(tenant, 'csrf');
    user = await tenant.createUser(`csrf-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);
    refreshToken = (await passwordLogin(tenant, app.client_id, user.email, 'Tablet')).refresh_token;
    const db = new Client({ connectionString: system.db.url });
    await db.connect();
    try {
      await eventually(
        async () =>
          (await db.query(`SELECT 1 FROM device_credentials WHERE user_id = $1`, [user.user_id])).rowCount ===
          1,
        30_000,
      );
    } finally {
      await db.end();
    }
  });
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  });

  describe('the login form (login CSRF)', () => {
    it.each([
      ['Origin of another site', { origin: EVIL }],
      ['neither Origin nor Referer', {}],
      ['no Origin and a Referer of another site', { referer: `${EVIL}/` }],
      ['Sec-Fetch-Site: cross-site', { origin, 'sec-fetch-site': 'cross-site' }],
    ])(
      'refuses a post with the right credentials and token but %s: 403, no session',
      async (_name, headers) => {
        const page = await openLogin();
        const res = await form(
          '/dashboard/login',
          { csrf_token: page.csrf, email: ADMIN.email, password: ADMIN.password },
          headers,
          { dashboard_login: page.cookie },
        );
        expect(res.status).toBe(403);
        expect(cookieValue(res, 'dashboard_session')).toBe('');
      },
    );

    it('refuses a same-origin post without the login form’s cookie, or with another form’s token', async () => {
      const page = await openLogin();
      const other = await openLogin();
      const credentials = { email: ADMIN.email, password: ADMIN.password };
      for (const [fields, cookies] of [
        [{ ...credentials, csrf_token: page.csrf }, {}],
        [{ ...credentials }, { dashboard_login: page.cookie }],
        [{ ...credentials, csrf_token: other.csrf }, { dashboard_login: page.cookie }],
        [{ ...credentials, csrf_token: 'A'.repeat(43) }, { dashboard_login: page.cookie }],
      ] as Array<[Record<string, string>, Record<string, string>]>) {
        const res = await form('/dashboard/login', fields, sameOrigin(), cookies);
        expect(res.status).toBe(403);
        expect(cookieValue(res, 'dashboard_session')).toBe('');
      }
    });

    it('accepts the login from our own page, also when only a same-origin Referer is sent (the control)', async () => {
      await signIn();
      const page = await openLogin();
      const res = await form(
        '/dashboard/login',
        { csrf_token: page.csrf, email: ADMIN.email, password: ADMIN.password },
        { referer: `${origin}/dashboard/login` },
        { dashboard_login: page.cookie },
      );
      expect(res.status).toBe(303);
    });
  });

  describe('Unlink and Logout in a session', () => {
    it('refuses an Unlink with the session’s CSRF token but cross-site headers: 403, nothing revoked', async () => {
      const { session, csrf } = await signIn();
      for (const [name, headers] of crossSite()) {
        const res = await form(unlinkPath(), { ...unlinkFields(), csrf_token: csrf }, headers, {
          dashboard_session: session,
        });
        expect([name, res.status]).toEqual([name, 403]);
      }
      expect((await delegate(tenant, app.client_id, refreshToken)).status).toBe(200);
    });

    it('refuses a same-origin Unlink without the CSRF token, with a wrong one or another session’s: 403, nothing revoked', async () => {
      const { session } = await signIn();
      const other = await signIn();
      for (const token of [undefined, '', 'A'.repeat(43), other.csrf, other.session]) {
        const fields: Record<string, string> = {
          ...unlinkFields(),
          ...(token === undefined ? {} : { csrf_token: token }),
        };
        const res = await form(unlinkPath(), fields, sameOrigin(), { dashboard_session: session });
        expect([token, res.status]).toEqual([token, 403]);
      }
      expect((await delegate(tenant, app.client_id, refreshToken)).status).toBe(200);
    });

    it('refuses a cross-site Logout: the session stays valid', async () => {
      const { session, csrf } = await signIn();
      for (const [name, headers] of crossSite()) {
        const res = await form('/dashboard/logout', { csrf_token: csrf }, headers, {
          dashboard_session: session,
        });
        expect([name, res.status]).toEqual([name, 403]);
      }
      const users = await fetch(`${system.url}/dashboard/users`, {
        headers: { cookie: `dashboard_session=${session}` },
        redirect: 'manual',
      });
      expect(users.status).toBe(200);
    });

    it('only shows the confirmation on a GET of the Unlink URL (a link from another site changes nothing)', async () => {
      const { session } = await signIn();
      const res = await fetch(`${system.url}${unlinkPath()}?${new URLSearchParams(unlinkFields())}`, {
        headers: { cookie: `dashboard_session=${session}`, referer: `${EVIL}/` },
        redirect: 'manual',
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Unlink Tablet?');
      expect((await delegate(tenant, app.client_id, refreshToken)).status).toBe(200);
    });

    it('unlinks from our own page with the session’s CSRF token (the control): the token is then refused', async () => {
      const { session, csrf } = await signIn();
      const res = await form(unlinkPath(), { ...unlinkFields(), csrf_token: csrf }, sameOrigin(), {
        dashboard_session: session,
      });
      expect(res.status).toBe(303);
      expect((await delegate(tenant, app.client_id, refreshToken)).status).toBe(403);
    });
  });
});
