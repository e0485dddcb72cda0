import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@libs/config';
import { CommandBus } from '@nestjs/cqrs';
import { refusalOf } from '@libs/domain';
import { CredentialResolver, CredentialsModule, IssueCredential } from '@libs/credentials';
import { DatabaseModule } from '@libs/database';
import { EventStore, EventStoreModule } from '@libs/event-store';
import { JwtModule } from '@libs/jwt';
import { ClientsService, ManagementModule, UsersService } from '@libs/management';
import { OAuthExceptionFilter } from '@libs/platform';
import { DeviceCredentialProjection } from '@libs/projections';
import { SecurityModule } from '@libs/security';
import { createTestDatabase, type TestDatabase } from '@libs/testing';
import { DashboardAdmins } from './admins/dashboard-admins';
import { DashboardModule } from './dashboard.module';

const PUBLIC_URL = 'https://tenant.example.com';
const SESSION_COOKIE = '__Secure-dashboard_session';
const LOGIN_COOKIE = '__Secure-dashboard_login';
const ADMIN = { email: 'ops@example.com', password: 'dashboard admin password' };
const SCRIPT = '<script>alert("x")</script>';
const ESCAPED_SCRIPT = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';

type Res = request.Response;

const setCookie = (res: Res, name: string): string | undefined =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));
const cookieValue = (header: string | undefined) => header?.split(';')[0].split('=')[1] ?? '';
const hidden = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

/** The dashboard over HTTP, in process, on a real PostgreSQL database (no projector: the view is fed here). */
describe('dashboard (HTTP, real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let sql: DataSource;
  let mobile: string;
  let tablet: string;
  let ada: string;
  const tokens: Record<string, string[]> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({
      DATABASE_URL: db.url,
      PUBLIC_URL,
      // Mixed case: the stored email is lowercased, and logins compare without regard to case.
      DASHBOARD_ADMIN_EMAIL: 'Ops@Example.com',
      DASHBOARD_ADMIN_PASSWORD: ADMIN.password,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        SecurityModule,
        EventStoreModule.forRoot({ relay: false }),
        CredentialsModule,
        JwtModule,
        ManagementModule,
        DashboardModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new OAuthExceptionFilter());
    // As TRUST_PROXY=loopback: the limiter tests below come from addresses of their own (X-Forwarded-For).
    app.getHttpAdapter().getInstance().set('trust proxy', 'loopback');
    await app.init();
    http = request(app.getHttpServer());
    sql = app.get(DataSource);

    const clients = app.get(ClientsService);
    mobile = (await clients.createClient({ name: 'Mobile <app>', app_type: 'native', callbacks: ['a://cb'] }))
      .client.clientId;
    tablet = (await clients.createClient({ name: 'Tablet app', app_type: 'native', callbacks: ['b://cb'] }))
      .client.clientId;
    const users = app.get(UsersService);
    const create = (email: string, name: string) =>
      users.createUser({
        connection: 'Username-Password-Authentication',
        email,
        name,
        password: 'correct horse',
      });
    ada = (await create('ada@example.com', 'Ada Lovelace')).userId;
    await create('grace@example.com', `Grace ${SCRIPT}`);

    // Pixel 9 twice in one app, once in another (a separate device row), an iPad once.
    const commands = app.get(CommandBus);
    const store = app.get(EventStore);
    const issue = async (clientId: string, deviceName: string) => {
      const { refreshToken, credentialId } = await commands.execute(
        new IssueCredential(
          { userId: ada, clientId, deviceName, scope: 'openid offline_access', grant: 'password' },
          { correlationId: 'it' },
        ),
      );
      (tokens[`${clientId}/${deviceName}`] ??= []).push(refreshToken);
      return credentialId;
    };
    const issued = [
      await issue(mobile, 'Pixel 9'),
      await issue(mobile, 'Pixel 9'),
      await issue(mobile, 'iPad'),
      await issue(tablet, 'Pixel 9'),
    ];
    const events = (await Promise.all(issued.map((id) => store.readStream(id)))).flat();
    await sql.transaction((tx) => new DeviceCredentialProjection().apply(tx, events));
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** What a browser holds after opening the login page: its cookie and the form's CSRF token. */
  const openLoginPage = async () => {
    const res = await http.get('/dashboard/login');
    expect(res.status).toBe(200);
    return { res, cookie: cookieValue(setCookie(res, LOGIN_COOKIE)), csrf: hidden(res.text, 'csrf_token') };
  };
  const postLogin = (form: Record<string, string>, cookie?: string, headers: Record<string, string> = {}) => {
    const req = http
      .post('/dashboard/login')
      .type('form')
      .set({ Origin: PUBLIC_URL, ...headers });
    if (cookie !== undefined) req.set('Cookie', `${LOGIN_COOKIE}=${cookie}`);
    return req.send(form);
  };
  const login = async (email = ADMIN.email, password = ADMIN.password) => {
    const page = await openLoginPage();
    return postLogin({ csrf_token: page.csrf, email, password }, page.cookie);
  };
  /** Logs in and returns the session cookie and a getter for a page with its CSRF token. */
  const signIn = async () => {
    const res = await login();
    expect(res.status).toBe(303);
    const session = cookieValue(setCookie(res, SESSION_COOKIE));
    const get = (path: string) => http.get(path).set('Cookie', `${SESSION_COOKIE}=${session}`);
    const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      http
        .post(path)
        .type('form')
        .set('Cookie', `${SESSION_COOKIE}=${session}`)
        .set({ Origin: PUBLIC_URL, ...headers })
        .send(form);
    const csrf = hidden((await get('/dashboard/users')).text, 'csrf_token');
    return { session, csrf, get, post };
  };
  const userPath = (userId: string) => `/dashboard/users/${encodeURIComponent(userId)}`;
  const deviceRows = (html: string) =>
    [...html.matchAll(/<tr>\s*<td><strong>([^<]*)<\/strong><\/td>([\s\S]*?)<\/tr>/g)].map(
      ([, device, rest]) => ({
        device,
        client: /<div class="mono">([^<]*)<\/div>/.exec(rest)?.[1],
        tokens: Number(/<td class="num">(\d+)<\/td>/.exec(rest)?.[1]),
      }),
    );
  const activeTokens = async (clientId: string, device: string) =>
    (
      await sql.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM events i WHERE i.type = 'TokenIssued'
           AND i.data ->> 'client_id' = $1 AND i.data ->> 'device_name' = $2
           AND NOT EXISTS (SELECT 1 FROM events r WHERE r.stream_id = i.stream_id AND r.type = 'TokenRevoked')`,
        [clientId, device],
      )
    )[0].n;

  describe('login', () => {
    it('serves the login page with the security headers and a Strict, HttpOnly, Secure form cookie', async () => {
      const { res, csrf } = await openLoginPage();
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; " +
          "img-src 'self' data:; base-uri 'none'",
      );
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const cookie = setCookie(res, LOGIN_COOKIE)!;
      expect(cookie).toMatch(/; Path=\/dashboard;/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(res.text).not.toMatch(/<script/i);
    });

    it('starts a session for the seeded administrator (email in any case) and goes to the users list', async () => {
      const res = await login('OPS@example.COM');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dashboard/users');
      expect(res.headers['cache-control']).toBe('no-store');
      const cookie = setCookie(res, SESSION_COOKIE)!;
      expect(cookieValue(cookie)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie).toMatch(/; Max-Age=28800; Path=\/dashboard;/);
      expect(cookie).toMatch(/; HttpOnly; Secure; SameSite=Strict/);
      // Only the keyed hash of the cookie is stored.
      const stored = await sql.query<{ session_hash: string }[]>(
        `SELECT session_hash FROM dashboard_sessions`,
      );
      expect(stored.map((s) => s.session_hash)).not.toContain(cookieValue(cookie));
    });

    it('answers a wrong password and an unknown email alike, without a session', async () => {
      for (const [email, password] of [
        [ADMIN.email, 'not the password'],
        ['nobody@example.com', ADMIN.password],
      ]) {
        const res = await login(email, password);
        expect(res.status).toBe(200);
        expect(res.text).toContain('Wrong email or password.');
        expect(res.text).toContain(`value="${email}"`);
        expect(setCookie(res, SESSION_COOKIE)).toBeUndefined();
      }
    });

    it('refuses a login form without its CSRF token, with another one, or from another site (403)', async () => {
      const page = await openLoginPage();
      const other = await openLoginPage();
      const credentials = { email: ADMIN.email, password: ADMIN.password };
      const attempts = [
        () => postLogin(credentials, page.cookie),
        () => postLogin({ ...credentials, csrf_token: page.csrf }),
        () => postLogin({ ...credentials, csrf_token: other.csrf }, page.cookie),
        () =>
          postLogin({ ...credentials, csrf_token: page.csrf }, page.cookie, {
            Origin: 'https://evil.example',
          }),
        () =>
          postLogin({ ...credentials, csrf_token: page.csrf }, page.cookie, {
            'Sec-Fetch-Site': 'cross-site',
          }),
      ];
      // One after the other: supertest's ephemeral server closes when a request ends.
      for (const attempt of attempts) {
        const res = await attempt();
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(setCookie(res, SESSION_COOKIE)).toBeUndefined();
      }
      const ok = await postLogin({ ...credentials, csrf_token: page.csrf }, page.cookie, {
        Origin: PUBLIC_URL,
      });
      expect(ok.status).toBe(303);
    });

    it('slows down password guessing: after 5 failures the same address and email get 429', async () => {
      for (let i = 0; i < 5; i++) expect((await login('guess@example.com', `wrong ${i}`)).status).toBe(200);
      const res = await login('guess@example.com', 'wrong again');
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.text).toContain('Too many failed attempts');
      expect((await login()).status).toBe(303); // another email is not affected
    });

    const loginFrom = async (address: string, email: string, password: string) => {
      const page = await openLoginPage();
      return postLogin({ csrf_token: page.csrf, email, password }, page.cookie, {
        'X-Forwarded-For': address,
      });
    };

    it('issue 19 finding 3: of 20 wrong passwords at once, exactly 5 are checked; the rest get 429 before any hashing', async () => {
      const pages = [];
      for (let i = 0; i < 20; i++) pages.push(await openLoginPage());
      const answers = await Promise.all(
        pages.map((page, i) =>
          postLogin({ csrf_token: page.csrf, email: ADMIN.email, password: `wrong ${i}` }, page.cookie, {
            'X-Forwarded-For': '198.51.100.7',
          }),
        ),
      );
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(15).fill(429)]);
      expect((await loginFrom('198.51.100.7', ADMIN.email, ADMIN.password)).status).toBe(429);
      expect((await loginFrom('198.51.100.8', ADMIN.email, ADMIN.password)).status).toBe(303);
    });

    it('issue 19 finding 3: counts the addresses of one IPv6 /64 as one address', async () => {
      for (let i = 1; i <= 5; i++) {
        expect((await loginFrom(`2001:db8:5:6::${i}`, ADMIN.email, 'wrong')).status).toBe(200);
      }
      expect((await loginFrom('2001:db8:5:6:ffff::9', ADMIN.email, ADMIN.password)).status).toBe(429);
      expect((await loginFrom('2001:db8:5:7::1', ADMIN.email, ADMIN.password)).status).toBe(303);
    });

    it('keeps the first administrator: a later environment does not overwrite it', async () => {
      const admins = app.get(DashboardAdmins);
      await expect(admins.createFirst('new@example.com', 'another password')).resolves.toBe(false);
      await expect(admins.verifyPassword('new@example.com', 'another password')).resolves.toBeNull();
      const [{ n }] = await sql.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM dashboard_admins`);
      expect(n).toBe(1);
      const [row] = await sql.query<{ email: string; password_hash: string }[]>(
        `SELECT email, password_hash FROM dashboard_admins`,
      );
      expect(row.email).toBe(ADMIN.email);
      expect(row.password_hash).toMatch(/^scrypt\$/);
    });
  });

  describe('without a session', () => {
    it.each([
      ['GET', '/dashboard'],
      ['GET', '/dashboard/users'],
      ['GET', '/dashboard/users/auth0%7C000000000000000000000000'],
      ['GET', '/dashboard/users/x/devices/unlink?client_id=a&device=b'],
      ['POST', '/dashboard/users/x/devices/unlink'],
      ['POST', '/dashboard/logout'],
    ])('%s %s redirects to the login page', async (method, path) => {
      const res = await (method === 'GET'
        ? http.get(path)
        : http.post(path).type('form').set('Origin', PUBLIC_URL).send({}));
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/dashboard/login');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('treats a forged or unknown session cookie as none', async () => {
      for (const value of ['forged', 'A'.repeat(43)]) {
        const res = await http.get('/dashboard/users').set('Cookie', `${SESSION_COOKIE}=${value}`);
        expect(res.status).toBe(302);
      }
    });
  });

  describe('users', () => {
    it('lists users with the header bar, escaping every value', async () => {
      const { get } = await signIn();
      const res = await get('/dashboard/users');
      expect(res.status).toBe(200);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.text).toContain('tenant.example.com');
      expect(res.text).toContain(ADMIN.email);
      expect(res.text).toContain('>Log out<');
      expect(res.text).toContain(`href="${userPath(ada)}"`);
      expect(res.text).toContain(`Grace ${ESCAPED_SCRIPT}`);
      expect(res.text).not.toMatch(/<script/i);
      expect(res.text).toContain('1–2 of 2');
    });

    it('searches by email or name, case-insensitively', async () => {
      const { get } = await signIn();
      const byName = await get('/dashboard/users?q=LOVELACE');
      expect(byName.text).toContain('ada@example.com');
      expect(byName.text).not.toContain('grace@example.com');
      expect(byName.text).toContain('value="LOVELACE"');
      const byEmail = await get('/dashboard/users?q=grace%40');
      expect(byEmail.text).toContain('grace@example.com');
      expect(byEmail.text).not.toContain('ada@example.com');
      const none = await get(`/dashboard/users?q=${encodeURIComponent('<script>nobody')}`);
      expect(none.text).toContain('No user matches this search.');
      expect(none.text).toContain('value="&lt;script&gt;nobody"');
      expect(none.text).not.toMatch(/<script/i);
    });

    it('answers 404 with a page for an unknown user', async () => {
      const { get } = await signIn();
      const res = await get('/dashboard/users/auth0%7C000000000000000000000000');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('User not found');
    });
  });

  describe('devices', () => {
    it('groups the user’s tokens by application and device name, with counts, names and times', async () => {
      const { get } = await signIn();
      const res = await get(userPath(ada));
      expect(res.status).toBe(200);
      expect(deviceRows(res.text)).toEqual([
        { device: 'iPad', client: mobile, tokens: 1 },
        { device: 'Pixel 9', client: mobile, tokens: 2 },
        { device: 'Pixel 9', client: tablet, tokens: 1 },
      ]);
      expect(res.text).toContain('Mobile &lt;app&gt;');
      expect(res.text).toContain('Tablet app');
      expect(res.text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(res.text).toContain('never');
      expect(res.text).toContain(
        `href="${userPath(ada)}/devices/unlink?client_id=${mobile}&amp;device=Pixel+9"`,
      );
    });

    it('asks for confirmation behind the ✕, with a POST form carrying the CSRF token', async () => {
      const { get, csrf } = await signIn();
      const res = await get(`${userPath(ada)}/devices/unlink?client_id=${mobile}&device=Pixel+9`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Unlink Pixel 9?');
      expect(res.text).toContain('2 refresh tokens');
      expect(res.text).toContain(`<form method="post" action="${userPath(ada)}/devices/unlink">`);
      expect(hidden(res.text, 'csrf_token')).toBe(csrf);
      expect(hidden(res.text, 'client_id')).toBe(mobile);
      expect(hidden(res.text, 'device')).toBe('Pixel 9');
      expect(res.text).toMatch(/href="[^"]*"[^>]*>Cancel</);
    });

    it('refuses an unlink without the session’s CSRF token or from another site (403), revoking nothing', async () => {
      const first = await signIn();
      const second = await signIn();
      const form = { client_id: mobile, device: 'Pixel 9' };
      const path = `${userPath(ada)}/devices/unlink`;
      const attempts = [
        () => first.post(path, form),
        () => first.post(path, { ...form, csrf_token: 'A'.repeat(43) }),
        () => first.post(path, { ...form, csrf_token: second.csrf }),
        () => first.post(path, { ...form, csrf_token: first.csrf }, { Origin: 'https://evil.example' }),
        () => first.post(path, { ...form, csrf_token: first.csrf }, { Origin: 'null' }),
      ];
      for (const attempt of attempts) {
        const res = await attempt();
        expect(res.status).toBe(403);
        expect(res.text).toMatch(/Request refused|This form has expired/);
      }
      expect(await activeTokens(mobile, 'Pixel 9')).toBe(2);
    });

    it('unlinks a device: revokes its tokens, then shows the flash once and the device gone', async () => {
      const { get, post, csrf } = await signIn();
      const res = await post(
        `${userPath(ada)}/devices/unlink`,
        { csrf_token: csrf, client_id: mobile, device: 'Pixel 9' },
        { Origin: PUBLIC_URL, 'Sec-Fetch-Site': 'same-origin' },
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(userPath(ada));
      expect(await activeTokens(mobile, 'Pixel 9')).toBe(0);
      expect(await activeTokens(tablet, 'Pixel 9')).toBe(1);
      expect(await activeTokens(mobile, 'iPad')).toBe(1);
      const revoked = await sql.query<{ data: { reason: string; actor: string; device_name: string } }[]>(
        `SELECT data FROM events WHERE type = 'TokenRevoked'`,
      );
      expect(revoked.map((e) => e.data)).toEqual([
        expect.objectContaining({
          reason: 'dashboard_unlink',
          actor: `dashboard:${ADMIN.email}`,
          device_name: 'Pixel 9',
        }),
        expect.objectContaining({
          reason: 'dashboard_unlink',
          actor: `dashboard:${ADMIN.email}`,
          device_name: 'Pixel 9',
        }),
      ]);
      const unlinked = await app.get(CredentialResolver).byRefreshToken(tokens[`${mobile}/Pixel 9`][0]);
      expect(refusalOf(unlinked!.state, mobile)).toBe('revoked');

      const page = await get(userPath(ada));
      expect(page.text).toContain('Unlinked Pixel 9: 2 refresh tokens revoked');
      expect(deviceRows(page.text)).toEqual([
        { device: 'iPad', client: mobile, tokens: 1 },
        { device: 'Pixel 9', client: tablet, tokens: 1 },
      ]);
      expect((await get(userPath(ada))).text).not.toContain('Unlinked Pixel 9');

      // The ✕ of a device unlinked meanwhile (another tab) leads back with a message, not an error.
      const stale = await get(`${userPath(ada)}/devices/unlink?client_id=${mobile}&device=Pixel+9`);
      expect(stale.status).toBe(303);
      expect((await get(userPath(ada))).text).toContain('Pixel 9 has no active refresh tokens.');
    });
  });

  describe('session end', () => {
    it('logs out on the server: the old cookie no longer opens a page', async () => {
      const { get, post, csrf, session } = await signIn();
      expect((await post('/dashboard/logout', {})).status).toBe(403);
      const res = await post('/dashboard/logout', { csrf_token: csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dashboard/login');
      expect(setCookie(res, SESSION_COOKIE)).toMatch(
        /^__Secure-dashboard_session=; Path=\/dashboard; Expires=Thu, 01 Jan 1970/,
      );
      expect((await get('/dashboard/users')).status).toBe(302);
      expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('ends a session after its 8 hours', async () => {
      const { get } = await signIn();
      expect((await get('/dashboard/users')).status).toBe(200);
      await sql.query(`UPDATE dashboard_sessions SET expires_at = now() - interval '1 second'`);
      const res = await get('/dashboard/users');
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/dashboard/login');
    });
  });

  describe('after SERVER_SECRET rotates', () => {
    const instances: INestApplication[] = [];
    /** Another api on the same database, booted with `env`. */
    const boot = async (env: Record<string, string>) => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          ConfigModule.forRoot(loadConfig({ DATABASE_URL: db.url, PUBLIC_URL, ...env })),
          DatabaseModule,
          SecurityModule,
          EventStoreModule.forRoot({ relay: false }),
          CredentialsModule,
          JwtModule,
          ManagementModule,
          DashboardModule,
        ],
      }).compile();
      const instance = moduleRef.createNestApplication({ logger: false });
      instances.push(instance);
      await instance.init();
      return request(instance.getHttpServer());
    };
    afterAll(() => Promise.all(instances.map((instance) => instance.close())));

    it('keeps a session and its forms made under the previous secret; without it, the session is unknown', async () => {
      const before = await signIn();
      const next = 'the-next-server-secret-of-at-least-32-characters';
      // Booted first: it seals the signing keys anew under `next`, so the other can boot without the old secret.
      const rotated = await boot({
        SERVER_SECRET: next,
        SERVER_SECRETS_PREVIOUS: loadConfig({}).serverSecret,
      });
      const withoutPrevious = await boot({ SERVER_SECRET: next });
      const cookie = `${SESSION_COOKIE}=${before.session}`;
      expect((await withoutPrevious.get('/dashboard/users').set('Cookie', cookie)).status).toBe(302);
      expect((await rotated.get('/dashboard/users').set('Cookie', cookie)).status).toBe(200);

      const logout = (form: Record<string, string>) =>
        rotated.post('/dashboard/logout').type('form').set({ Cookie: cookie, Origin: PUBLIC_URL }).send(form);
      expect((await logout({ csrf_token: 'A'.repeat(43) })).status).toBe(403);
      expect((await logout({ csrf_token: before.csrf })).status).toBe(303);
      expect((await before.get('/dashboard/users')).status).toBe(302);
    });
  });
});
