import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@libs/config';
import { CredentialsModule } from '@libs/credentials';
import { DatabaseModule } from '@libs/database';
import { EventStoreModule } from '@libs/event-store';
import { JwtModule } from '@libs/jwt';
import { ClientRepository, UserRepository } from '@libs/tenants';
import { ClientsService, ManagementModule, UsersService } from '@libs/management';
import { OAuthExceptionFilter } from '@libs/platform';
import { SecretKeys, SecurityModule } from '@libs/security';
import { createTestDatabase, type TestDatabase } from '@libs/testing';
import { AuthenticationModule } from '../authentication.module';
import { DEVICE_REQUIRED_DESCRIPTION, type AuthorizeRequest } from './authorize-request';
import { sealLoginState } from './login-state';

const PUBLIC_URL = 'https://tenant.example.com';
const COOKIE = '__Secure-authorize_csrf';
const NATIVE_CALLBACK = 'com.example.notes://callback';
const NATIVE_WEB_CALLBACK = 'https://notes.example.com/cb?tenant=acme';
const WEB_CALLBACK = 'https://web.example.com/callback';
// BASE64URL(SHA256(verifier)) for the RFC 7636 appendix B verifier.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const PASSWORD = 'correct horse battery staple';
const SCRIPT = '<script>alert("x")</script>';

/** GET /authorize and its login form over HTTP, in process, on a real PostgreSQL database. */
describe('GET /authorize and the hosted login page (HTTP, real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let sql: DataSource;
  let keys: SecretKeys;
  let native: string;
  let web: string;
  let noCodeGrant: string;
  let machine: string;
  let jane: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, PUBLIC_URL });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        SecurityModule,
        EventStoreModule.forRoot({ relay: false }),
        CredentialsModule,
        JwtModule,
        ManagementModule,
        AuthenticationModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new OAuthExceptionFilter());
    await app.init();
    http = request(app.getHttpServer());
    sql = app.get(DataSource);
    keys = app.get(SecretKeys);

    const clients = app.get(ClientsService);
    const create = async (input: Parameters<ClientsService['createClient']>[0]) =>
      (await clients.createClient(input)).client.clientId;
    native = await create({
      name: `${SCRIPT} Notes`,
      app_type: 'native',
      callbacks: [NATIVE_CALLBACK, NATIVE_WEB_CALLBACK],
    });
    web = await create({ name: 'Web', app_type: 'regular_web', callbacks: [WEB_CALLBACK] });
    noCodeGrant = await create({
      name: 'No code grant',
      app_type: 'regular_web',
      callbacks: [WEB_CALLBACK],
      grant_types: ['client_credentials'],
    });
    machine = await create({ name: 'M2M', app_type: 'non_interactive', callbacks: [WEB_CALLBACK] });

    const users = app.get(UsersService);
    const user = (email: string, blocked = false) =>
      users.createUser({
        connection: 'Username-Password-Authentication',
        email,
        password: PASSWORD,
        blocked,
      });
    jane = (await user('jane@example.com')).userId;
    await user('blocked@example.com', true);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const nativeParams = (overrides: Record<string, string | undefined> = {}) =>
    Object.fromEntries(
      Object.entries({
        response_type: 'code',
        client_id: native,
        redirect_uri: NATIVE_CALLBACK,
        scope: 'openid profile offline_access',
        device: 'Jane’s Pixel',
        state: 'xyz-state',
        nonce: 'n-0S6_WzA2Mj',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
        ...overrides,
      }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );

  const authorize = (params: Record<string, string>) => http.get('/authorize').query(params);

  /** Opens the login page and returns what a browser would hold: the cookie and the form's hidden fields. */
  const openLoginPage = async (params = nativeParams()) => {
    const res = await authorize(params);
    expect(res.status).toBe(200);
    const cookie = setCookie(res, COOKIE);
    return {
      res,
      csrfToken: hidden(res.text, 'csrf_token'),
      loginState: hidden(res.text, 'login_state'),
      cookieValue: cookie!.split(';')[0].split('=')[1],
    };
  };

  const postLogin = (form: Record<string, string>, cookieValue?: string) => {
    const req = http.post('/authorize/login').type('form');
    if (cookieValue !== undefined) req.set('Cookie', `${COOKIE}=${cookieValue}`);
    return req.send(form);
  };

  const login = async (email: string, password: string, params = nativeParams()) => {
    const page = await openLoginPage(params);
    return postLogin(
      { csrf_token: page.csrfToken, login_state: page.loginState, email, password },
      page.cookieValue,
    );
  };

  const expectSecurePage = (res: request.Response) => {
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'nonce-[A-Za-z0-9_-]{22}'/);
    expect(csp).toMatch(/form-action 'self'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers).toMatchObject({
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(res.text).toContain(`<style nonce="${nonce}">`);
  };

  const expectErrorPage = (res: request.Response, status: number, text: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.location).toBeUndefined();
    expectSecurePage(res);
    expect(res.text).toMatch(text);
  };

  describe('an untrusted client or redirect_uri: an error page, never a redirect (RFC 6749 §4.1.2.1)', () => {
    it('for an unknown client_id', async () => {
      expectErrorPage(await authorize(nativeParams({ client_id: 'no-such-client' })), 400, /Unknown client/);
    });

    it('for a missing client_id', async () => {
      expectErrorPage(await authorize(nativeParams({ client_id: undefined })), 400, /client_id/);
    });

    it('for a redirect_uri that is not exactly a registered callback', async () => {
      for (const redirectUri of [
        'https://evil.example/cb',
        `${NATIVE_CALLBACK}/`,
        'https://notes.example.com/cb',
        `${NATIVE_WEB_CALLBACK}&x=1`,
      ]) {
        expectErrorPage(
          await authorize(nativeParams({ redirect_uri: redirectUri, response_type: 'token' })),
          400,
          /Callback URL mismatch/,
        );
      }
    });

    it('for a missing redirect_uri', async () => {
      expectErrorPage(await authorize(nativeParams({ redirect_uri: undefined })), 400, /redirect_uri/);
    });

    it('for a repeated redirect_uri', async () => {
      const res = await http.get(
        `/authorize?client_id=${native}&redirect_uri=${encodeURIComponent(NATIVE_CALLBACK)}` +
          `&redirect_uri=${encodeURIComponent(NATIVE_CALLBACK)}&response_type=code`,
      );
      expectErrorPage(res, 400, /repeated/);
    });
  });

  describe('other errors go back to the trusted redirect_uri with error, error_description and state', () => {
    it.each([
      [
        'unsupported_response_type',
        () => nativeParams({ response_type: 'token' }),
        /Unsupported response type/,
      ],
      ['invalid_request', () => nativeParams({ response_type: undefined }), /response_type/],
      [
        'invalid_request',
        () => nativeParams({ code_challenge: undefined, code_challenge_method: undefined }),
        /PKCE is required for public clients/,
      ],
      ['invalid_request', () => nativeParams({ code_challenge_method: 'plain' }), /plain/],
      ['invalid_request', () => nativeParams({ code_challenge_method: undefined }), /S256/],
      ['invalid_request', () => nativeParams({ device: undefined }), DEVICE_REQUIRED_DESCRIPTION],
      ['invalid_request', () => nativeParams({ device: 'd'.repeat(256) }), /255/],
      ['invalid_scope', () => nativeParams({ scope: 'openid read:everything' }), /read:everything/],
      ['login_required', () => nativeParams({ prompt: 'none' }), 'Login required'],
    ])('%s (%#)', async (error, params, description) => {
      const res = await authorize(params());
      expect(res.status).toBe(302);
      expect(res.headers['cache-control']).toBe('no-store');
      const location = new URL(res.headers.location);
      expect(`${location.protocol}//${location.host}${location.pathname}`).toBe(NATIVE_CALLBACK);
      expect(location.searchParams.get('error')).toBe(error);
      const text = location.searchParams.get('error_description');
      if (typeof description === 'string') expect(text).toBe(description);
      else expect(text).toMatch(description);
      expect(location.searchParams.get('state')).toBe('xyz-state');
      expect(location.searchParams.has('code')).toBe(false);
    });

    it('keeps the query of the registered callback', async () => {
      const res = await authorize(
        nativeParams({ redirect_uri: NATIVE_WEB_CALLBACK, response_type: 'token' }),
      );
      expect(res.headers.location).toMatch(
        /^https:\/\/notes\.example\.com\/cb\?tenant=acme&error=unsupported_response_type&/,
      );
    });

    it('refuses plain PKCE from a confidential client too', async () => {
      const res = await authorize(
        nativeParams({ client_id: web, redirect_uri: WEB_CALLBACK, code_challenge_method: 'plain' }),
      );
      const location = new URL(res.headers.location);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toMatch(/plain/);
    });

    it('unauthorized_client for an application without the authorization_code grant', async () => {
      const res = await authorize(nativeParams({ client_id: noCodeGrant, redirect_uri: WEB_CALLBACK }));
      const location = new URL(res.headers.location);
      expect(location.origin + location.pathname).toBe(WEB_CALLBACK);
      expect(location.searchParams.get('error')).toBe('unauthorized_client');
      expect(location.searchParams.get('state')).toBe('xyz-state');
    });

    it('unauthorized_client for a machine-to-machine application', async () => {
      const res = await authorize(nativeParams({ client_id: machine, redirect_uri: WEB_CALLBACK }));
      expect(new URL(res.headers.location).searchParams.get('error')).toBe('unauthorized_client');
      expect(new URL(res.headers.location).searchParams.get('error_description')).toMatch(/Non-interactive/);
    });

    it('omits state when the request had none', async () => {
      const res = await authorize(nativeParams({ state: undefined, response_type: 'token' }));
      expect(new URL(res.headers.location).searchParams.has('state')).toBe(false);
    });
  });

  describe('the login page', () => {
    it('is served with a strict CSP that lets the form reach only us and the callback', async () => {
      const { res } = await openLoginPage();
      expectSecurePage(res);
      expect(res.headers['content-security-policy']).toContain("form-action 'self' com.example.notes:;");
      const webPage = await openLoginPage(nativeParams({ client_id: web, redirect_uri: WEB_CALLBACK }));
      expect(webPage.res.headers['content-security-policy']).toContain(
        "form-action 'self' https://web.example.com;",
      );
    });

    it('escapes the application and device names', async () => {
      const { res } = await openLoginPage(nativeParams({ device: `${SCRIPT} phone` }));
      expect(res.text).not.toMatch(/<script/i);
      expect(res.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Notes');
      expect(res.text).toContain(
        'Device: <strong>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; phone</strong>',
      );
    });

    it('sets an HttpOnly, SameSite=Lax, Secure CSRF cookie scoped to /authorize, also in a hidden field', async () => {
      const { res, csrfToken, cookieValue } = await openLoginPage();
      const cookie = setCookie(res, COOKIE)!;
      expect(cookie).toMatch(/; Path=\/authorize(;|$)/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Max-Age=600/);
      expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookieValue).toBe(csrfToken);
      expect(res.text).toContain('action="/authorize/login"');
    });

    it('keeps the CSRF token of a page already open in another tab', async () => {
      const first = await openLoginPage();
      const second = await authorize(nativeParams()).set('Cookie', `${COOKIE}=${first.cookieValue}`);
      expect(hidden(second.text, 'csrf_token')).toBe(first.csrfToken);
    });
  });

  describe('CSRF protection of POST /authorize/login: a 403 page, never a redirect', () => {
    it('without the cookie', async () => {
      const page = await openLoginPage();
      const res = await postLogin({
        csrf_token: page.csrfToken,
        login_state: page.loginState,
        email: 'jane@example.com',
        password: PASSWORD,
      });
      expectErrorPage(res, 403, /no longer valid/);
    });

    it('when the cookie and the field differ', async () => {
      const page = await openLoginPage();
      const other = await openLoginPage();
      const res = await postLogin(
        {
          csrf_token: other.csrfToken,
          login_state: page.loginState,
          email: 'jane@example.com',
          password: PASSWORD,
        },
        page.cookieValue,
      );
      expectErrorPage(res, 403, /no longer valid/);
    });

    it('when the state was sealed beside another CSRF token (a form lifted from another browser)', async () => {
      const page = await openLoginPage();
      const other = await openLoginPage();
      const res = await postLogin(
        {
          csrf_token: page.csrfToken,
          login_state: other.loginState,
          email: 'jane@example.com',
          password: PASSWORD,
        },
        page.cookieValue,
      );
      expectErrorPage(res, 403, /no longer valid/);
    });

    it('when the hidden state was tampered with', async () => {
      const page = await openLoginPage();
      const [version, payload, tag] = page.loginState.split('.');
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
      decoded.request.scope = 'openid profile email offline_access';
      const forged = `${version}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${tag}`;
      const res = await postLogin(
        { csrf_token: page.csrfToken, login_state: forged, email: 'jane@example.com', password: PASSWORD },
        page.cookieValue,
      );
      expectErrorPage(res, 403, /no longer valid/);
    });

    it('when the state expired (10 minutes)', async () => {
      const page = await openLoginPage();
      const request: AuthorizeRequest = JSON.parse(
        Buffer.from(page.loginState.split('.')[1], 'base64url').toString(),
      ).request;
      const elevenMinutesAgo = new Date(Date.now() - 11 * 60 * 1000);
      const expired = sealLoginState(request, page.csrfToken, keys.key('csrf'), elevenMinutesAgo);
      const res = await postLogin(
        { csrf_token: page.csrfToken, login_state: expired, email: 'jane@example.com', password: PASSWORD },
        page.cookieValue,
      );
      expectErrorPage(res, 403, /no longer valid/);
    });

    it('when nothing at all was sent', async () => {
      expectErrorPage(await http.post('/authorize/login').type('form').send(''), 403, /no longer valid/);
    });
  });

  describe('credentials', () => {
    it('answers a wrong password and an unknown email with the same generic message, keeping the form usable', async () => {
      const page = await openLoginPage();
      const wrongPassword = await postLogin(
        {
          csrf_token: page.csrfToken,
          login_state: page.loginState,
          email: 'jane@example.com',
          password: 'nope',
        },
        page.cookieValue,
      );
      const unknownEmail = await postLogin(
        {
          csrf_token: page.csrfToken,
          login_state: page.loginState,
          email: 'who@example.com',
          password: 'nope',
        },
        page.cookieValue,
      );
      for (const res of [wrongPassword, unknownEmail]) {
        expect(res.status).toBe(200);
        expect(res.headers.location).toBeUndefined();
        expectSecurePage(res);
        expect(res.text).toContain('Wrong email or password.');
        expect(res.text).not.toMatch(/not found|does not exist|no such user/i);
      }
      expect(wrongPassword.text).toContain('value="jane@example.com"');
      expect(wrongPassword.text).not.toContain('nope');

      const retry = await postLogin(
        {
          csrf_token: page.csrfToken,
          login_state: hidden(wrongPassword.text, 'login_state'),
          email: 'jane@example.com',
          password: PASSWORD,
        },
        page.cookieValue,
      );
      expect(retry.status).toBe(302);
      expect(retry.headers.location).toMatch(/^com\.example\.notes:\/\/callback\?code=/);
    });

    it('says a blocked user is blocked, and issues nothing', async () => {
      const res = await login('blocked@example.com', PASSWORD);
      expect(res.status).toBe(403);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('user is blocked');
    });

    it('answers 429 after 10 failed attempts for one address and email', async () => {
      const page = await openLoginPage();
      const attempt = (password: string) =>
        postLogin(
          { csrf_token: page.csrfToken, login_state: page.loginState, email: 'Target@Example.com', password },
          page.cookieValue,
        );
      for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(200);
      const blocked = await attempt(PASSWORD);
      expectErrorPage(blocked, 429, /Too many failed login attempts/);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
      expect((await login('jane@example.com', PASSWORD)).status).toBe(302);
    }, 30_000);
  });

  describe('a successful login', () => {
    it('redirects to the exact redirect_uri with code and state, and stores only the hash of the code', async () => {
      const before = (await app.get(UserRepository).findById(jane))!;
      const res = await login('Jane@Example.com', PASSWORD);
      expect(res.status).toBe(302);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const match = /^com\.example\.notes:\/\/callback\?code=([A-Za-z0-9_-]{43})&state=xyz-state$/.exec(
        res.headers.location,
      );
      expect(match).not.toBeNull();
      const code = match![1];
      expect(setCookie(res, COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970/);

      const rows = await sql.query('SELECT * FROM authorization_codes WHERE user_id = $1', [jane]);
      expect(rows.map((r: { code_hash: string }) => r.code_hash)).not.toContain(code);
      const [row] = await sql.query('SELECT * FROM authorization_codes WHERE code_hash = $1', [
        keys.authorizationCodeHash(code),
      ]);
      expect(row).toMatchObject({
        client_id: native,
        user_id: jane,
        redirect_uri: NATIVE_CALLBACK,
        scope: 'openid profile offline_access',
        device: 'Jane’s Pixel',
        nonce: 'n-0S6_WzA2Mj',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
        consumed_at: null,
      });
      expect(Date.now() - new Date(row.auth_time).getTime()).toBeLessThan(10_000);
      const after = (await app.get(UserRepository).findById(jane))!;
      expect(after.loginsCount).toBe(before.loginsCount + 1);
    });

    it('keeps the query of an https callback', async () => {
      const res = await login(
        'jane@example.com',
        PASSWORD,
        nativeParams({ redirect_uri: NATIVE_WEB_CALLBACK }),
      );
      expect(res.headers.location).toMatch(
        /^https:\/\/notes\.example\.com\/cb\?tenant=acme&code=[A-Za-z0-9_-]{43}&state=xyz-state$/,
      );
    });

    it('works for a confidential client without PKCE, and without state', async () => {
      const res = await login(
        'jane@example.com',
        PASSWORD,
        nativeParams({
          client_id: web,
          redirect_uri: WEB_CALLBACK,
          code_challenge: undefined,
          code_challenge_method: undefined,
          state: undefined,
          scope: 'openid email',
          device: undefined,
        }),
      );
      expect(res.headers.location).toMatch(/^https:\/\/web\.example\.com\/callback\?code=[A-Za-z0-9_-]{43}$/);
    });

    it('checks the application again: a callback removed while the page was open gets an error page', async () => {
      const page = await openLoginPage(nativeParams({ redirect_uri: NATIVE_WEB_CALLBACK }));
      const clients = app.get(ClientRepository);
      const client = (await clients.findById(native))!;
      await clients.upsert({ ...client, callbacks: [NATIVE_CALLBACK] });
      try {
        const res = await postLogin(
          {
            csrf_token: page.csrfToken,
            login_state: page.loginState,
            email: 'jane@example.com',
            password: PASSWORD,
          },
          page.cookieValue,
        );
        expectErrorPage(res, 400, /Callback URL mismatch/);
      } finally {
        await clients.upsert(client);
      }
    });
  });
});

function setCookie(res: request.Response, name: string): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith(`${name}=`));
}

function hidden(page: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!match) throw new Error(`no hidden field ${name} in the page`);
  return match[1];
}
