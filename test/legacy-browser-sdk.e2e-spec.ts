import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type Browser, type BrowserContext } from 'playwright-core';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  launchChromium,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PASSWORD = 'correct horse battery staple';
const INVALID = 'Unknown or invalid refresh token.';
const SDK_V9 = resolve(__dirname, '../node_modules/auth0-js-v9/dist/auth0.min.js');
const SDK_V7 = resolve(__dirname, '../node_modules/auth0-js-v7/standalone.js');

/** What a page's SDK call ended with: the callback's error or result, as plain JSON. */
interface Outcome {
  err?: Record<string, unknown> | null;
  result?: Record<string, unknown>;
}

const listen = (server: Server) =>
  new Promise<number>((done) =>
    server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)),
  );

/**
 * The official auth0-js SDKs, unmodified, in headless Chromium on pages of other origins than the tenant:
 * v9's `Authentication#delegation` (its published browser build) and v7's `refreshToken` (its source,
 * bundled here with esbuild: v7 ships no browser build on npm), over CORS and, for v7, JSONP.
 *
 * The pages are served by one static server reached as `http://localhost:P` (listed by the app in
 * `allowed_origins`) and `http://127.0.0.1:P` (listed only by another client, in `web_origins`): a browser
 * treats them as two origins. auth0.js v7 always calls `https://<domain>`, so it reaches the tenant through
 * a TLS front that forwards bytes unchanged to the api (a self-signed certificate the browser context accepts).
 */
describe('legacy browser SDKs: auth0-js v7 and v9 across origins (e2e)', () => {
  jest.setTimeout(30_000);
  let system: RunningSystem;
  let tenant: TenantClient;
  let browser: Browser;
  let context: BrowserContext;
  let pages: Server;
  let tls: Server;
  let certDir: string;
  let appId: string;
  let allowedOrigin: string;
  let otherClientsOrigin: string;
  let tlsDomain: string;
  let user: { email: string };

  const login = async (device = 'Browser') => {
    const res = await tenant.form('/oauth/token', {
      grant_type: 'password',
      client_id: appId,
      username: user.email,
      password: PASSWORD,
      scope: 'openid offline_access',
      device,
    });
    expect(res.status).toBe(200);
    return res.body as { refresh_token: string; id_token: string };
  };
  const refreshToken = async (device?: string) => (await login(device)).refresh_token;
  /** A login's tokens once its refresh token is revoked (its id_token names that credential). */
  const revokedLogin = async () => {
    const tokens = await login('Revoked');
    const revoke = await tenant.form('/oauth/revoke', { client_id: appId, token: tokens.refresh_token });
    expect(revoke.status).toBe(200);
    return tokens;
  };
  const revoked = async () => (await revokedLogin()).refresh_token;

  /** Opens the test page at `origin` and runs `script` (an async function body) in it. */
  const inPage = async (origin: string, script: string, arg: Record<string, unknown>): Promise<Outcome> => {
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/`);
      return (await page.evaluate(
        ([body, a]) => new Function('arg', `return (async () => { ${body} })()`)(a),
        [script, arg] as const,
      )) as Outcome;
    } finally {
      await page.close();
    }
  };

  // auth0-js v9: new auth0.Authentication({ domain, clientID }).delegation({...}, cb) — JSON, preflighted.
  const v9Delegation = (origin: string, token: string) =>
    inPage(
      origin,
      `const auth = new auth0.Authentication({ domain: arg.domain, clientID: arg.clientID });
       return await new Promise((done) => auth.delegation(
         { grant_type: arg.grant, refresh_token: arg.token, api_type: 'app', scope: 'openid' },
         (err, result) => done(JSON.parse(JSON.stringify({ err, result })))));`,
      { domain: system.url, clientID: appId, grant: JWT_BEARER, token },
    );

  // auth0-js v7: new Auth0({ domain, clientID }).refreshToken(token, cb) — a form POST, or JSONP; or
  // .renewIdToken(idToken, cb), the same call with the id_token.
  const v7Delegation = (
    method: 'refreshToken' | 'renewIdToken',
    origin: string,
    token: string,
    forceJSONP = false,
  ) =>
    inPage(
      origin,
      `const auth = new Auth0({ domain: arg.domain, clientID: arg.clientID, forceJSONP: arg.forceJSONP });
       return await new Promise((done) => auth[arg.method](arg.token, (err, result) => done({
         err: err && { status: err.status, code: err.code, message: err.message, error: err.error,
                       error_description: err.error_description },
         result: result && JSON.parse(JSON.stringify(result)),
       })));`,
      { domain: tlsDomain, clientID: appId, token, forceJSONP, method },
    );
  const v7RefreshToken = (origin: string, token: string, forceJSONP = false) =>
    v7Delegation('refreshToken', origin, token, forceJSONP);

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);

    const v7 = (
      await build({
        entryPoints: [SDK_V7],
        bundle: true,
        format: 'iife',
        platform: 'browser',
        define: { global: 'window' },
        write: false,
        logLevel: 'silent',
      })
    ).outputFiles[0].text;
    const v9 = readFileSync(SDK_V9, 'utf8');
    pages = createServer((req, res) => {
      const scripts: Record<string, string> = { '/auth0-v7.js': v7, '/auth0-v9.js': v9 };
      if (scripts[req.url ?? '']) {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(scripts[req.url!]);
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            '<!doctype html><title>app</title><script src="/auth0-v9.js"></script><script src="/auth0-v7.js"></script>',
          );
      }
    });
    const port = await listen(pages);
    allowedOrigin = `http://localhost:${port}`;
    otherClientsOrigin = `http://127.0.0.1:${port}`;

    certDir = mkdtempSync(join(tmpdir(), 'legacy-sdk-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const api = new URL(system.url);
    tls = createHttpsServer(
      { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) },
      (req, res) => {
        const forward = request(
          { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode!, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        req.pipe(forward);
      },
    );
    tlsDomain = `127.0.0.1:${await listen(tls)}`;

    appId = (
      await tenant.createClient({
        name: 'Notes (browser)',
        app_type: 'spa',
        grant_types: ['refresh_token', 'password', JWT_BEARER],
        allowed_origins: [allowedOrigin],
      })
    ).client_id;
    await tenant.createClient({ name: 'Another app', app_type: 'spa', web_origins: [otherClientsOrigin] });
    user = await tenant.createUser(`sdk.${Date.now().toString(36)}@example.com`, PASSWORD);

    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (pages ? pages.close(done) : done(undefined)));
    await new Promise((done) => (tls ? tls.close(done) : done(undefined)));
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  describe('auth0-js v9 Authentication#delegation', () => {
    it('gets a fresh id_token from a page the client allows', async () => {
      const { err, result } = await v9Delegation(allowedOrigin, await refreshToken());
      expect(err).toBeNull();
      // v9 hands results over camelCased.
      expect(result).toMatchObject({ tokenType: 'Bearer', expiresIn: 36000 });
      expect(result!.idToken).toMatch(/^eyJ/);
    });

    it("surfaces Auth0's 403 invalid_grant for a revoked token", async () => {
      const { err } = await v9Delegation(allowedOrigin, await revoked());
      expect(err).toMatchObject({ statusCode: 403, code: 'invalid_grant', description: INVALID });
    });

    it('is blocked by the browser on a page only another client lists', async () => {
      const { err, result } = await v9Delegation(otherClientsOrigin, await refreshToken());
      expect(result).toBeUndefined();
      expect(err).not.toHaveProperty('statusCode');
      expect(err!.code).toBeNull();
    });
  });

  describe('auth0-js v7 refreshToken', () => {
    it('gets a fresh id_token from a page the client allows (a form POST, no preflight)', async () => {
      const { err, result } = await v7RefreshToken(allowedOrigin, await refreshToken());
      expect(err).toBeNull();
      expect(result).toMatchObject({ token_type: 'Bearer', expires_in: 36000 });
      expect(result!.id_token).toMatch(/^eyJ/);
    });

    it("hands Auth0's error body to the callback for a revoked token", async () => {
      const { err } = await v7RefreshToken(allowedOrigin, await revoked());
      expect(err).toMatchObject({ error: 'invalid_grant', error_description: INVALID });
    });

    it('is blocked by the browser on a page only another client lists', async () => {
      const { err, result } = await v7RefreshToken(otherClientsOrigin, await refreshToken());
      expect(result).toBeUndefined();
      // reqwest sees status 0 and an unreadable body: v7 reports it as a network failure.
      expect(err).toMatchObject({ status: 0 });
    });

    it('renews an id_token over JSONP (renewIdToken, forceJSONP: GET /delegation?…&cbx=__auth0jp0)', async () => {
      const { err, result } = await v7Delegation(
        'renewIdToken',
        allowedOrigin,
        (await login()).id_token,
        true,
      );
      expect(err).toBeNull();
      expect(result).toMatchObject({ token_type: 'Bearer' });
      // A renewal never outlives the id_token presented (issue 19 finding 6): a second or so under 36000.
      expect(result!.expires_in).toBeGreaterThan(35_900);
      expect(result!.expires_in).toBeLessThanOrEqual(36_000);
      expect(result!.id_token).toMatch(/^eyJ/);
    });

    it('gets the 403 through the JSONP callback for an id_token whose refresh token is revoked', async () => {
      const { id_token } = await revokedLogin();
      const { err, result } = await v7Delegation('renewIdToken', allowedOrigin, id_token, true);
      expect(result).toBeUndefined();
      expect(err).toMatchObject({ status: 403, message: 'Invalid id_token.' });
    });

    it('issue 19 finding 11: gets a 400 through the JSONP callback for a refresh token in the URL', async () => {
      const token = await refreshToken();
      const { err, result } = await v7RefreshToken(allowedOrigin, token, true);
      expect(result).toBeUndefined();
      expect(err).toMatchObject({
        status: 400,
        message: 'refresh_token must not be sent in a URL: POST /delegation with them in the body.',
      });
      // Refused before it was looked up: the same token still works as v7 POSTs it.
      expect((await v7RefreshToken(allowedOrigin, token)).err).toBeNull();
    });
  });

  describe('CORS headers', () => {
    const preflight = (path: string, origin: string) =>
      fetch(`${system.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,auth0-client',
        },
      });
    const cors = (res: { headers: Headers }) =>
      [...res.headers].filter(([name]) => name.startsWith('access-control-')).map(([name]) => name);

    it.each(['/delegation', '/oauth/token', '/oauth/revoke', '/userinfo', '/tokeninfo'])(
      'answers a preflight to %s for an origin some client lists: 204, origin echoed, Vary, Max-Age',
      async (path) => {
        const res = await preflight(path, otherClientsOrigin);
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe(otherClientsOrigin);
        expect(res.headers.get('access-control-allow-headers')).toMatch(/Auth0-Client/);
        expect(res.headers.get('access-control-max-age')).toBe('7200');
        expect(res.headers.get('vary')).toMatch(/Origin/);
        expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      },
    );

    it('gives no Access-Control header to a preflight from an origin no client lists', async () => {
      const res = await preflight('/delegation', 'https://evil.example.net');
      expect(res.status).toBe(204);
      expect(cors(res)).toEqual([]);
    });

    it('gives no Access-Control header to a request whose client does not list its origin', async () => {
      const body = { client_id: appId, grant_type: JWT_BEARER, refresh_token: await refreshToken() };
      const foreign = await tenant.json('POST', '/delegation', body, { origin: otherClientsOrigin });
      expect(foreign.status).toBe(200);
      expect(cors(foreign)).toEqual([]);
      const own = await tenant.json('POST', '/delegation', body, { origin: allowedOrigin });
      expect(own.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(own.headers.get('access-control-expose-headers')).toMatch(/X-RateLimit-Remaining/);
    });

    it('lets any origin read /.well-known/openid-configuration', async () => {
      const res = await fetch(`${system.url}/.well-known/openid-configuration`, {
        headers: { origin: 'https://anyone.example' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });
  });

  describe('Management API: web_origins and allowed_origins', () => {
    it('stores them normalized, returns them, and CORS follows an update at once', async () => {
      const created = await tenant.management('POST', '/clients', {
        name: 'Admin SPA',
        app_type: 'spa',
        allowed_origins: ['https://Admin.Example.com:443/'],
        web_origins: ['https://*.preview.example.com'],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        allowed_origins: ['https://admin.example.com'],
        web_origins: ['https://*.preview.example.com'],
      });
      const id = created.body.client_id as string;
      expect(
        (await preflightFrom('https://pr-1.preview.example.com')).headers.get('access-control-allow-origin'),
      ).toBe('https://pr-1.preview.example.com');

      const updated = await tenant.management('PATCH', `/clients/${id}`, { web_origins: [] });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ allowed_origins: ['https://admin.example.com'], web_origins: [] });
      expect((await tenant.management('GET', `/clients/${id}`)).body.web_origins).toEqual([]);
      expect(
        (await preflightFrom('https://pr-1.preview.example.com')).headers.get('access-control-allow-origin'),
      ).toBeNull();
    });

    it.each([
      [{ name: 'A', web_origins: ['https://example.com/app'] }, /path/],
      [{ name: 'A', allowed_origins: ['ftp://example.com'] }, /http or https/],
      [{ name: 'A', allowed_origins: ['https://a.*.example.com'] }, /leftmost label/],
      [{ name: 'A', allowed_origins: 'https://example.com' }, /allowed_origins/],
      [{ name: 'A', web_origins: [42] }, /web_origins/],
    ])('refuses %p with 400 invalid_body', async (body, message) => {
      const res = await tenant.management('POST', '/clients', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, errorCode: 'invalid_body' });
      expect(res.body.message).toMatch(message);
    });

    it('refuses a PATCH of an unknown client (404) or of a field it does not change (400)', async () => {
      expect((await tenant.management('PATCH', '/clients/nope', { web_origins: [] })).status).toBe(404);
      const res = await tenant.management('PATCH', `/clients/${appId}`, { app_type: 'native' });
      expect(res.status).toBe(400);
    });

    const preflightFrom = (origin: string) =>
      fetch(`${system.url}/delegation`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
  });
});
