import { randomUUID } from 'node:crypto';
import { startSystem, TenantClient, type RunningSystem } from '@libs/testing';
import { JWT_BEARER, nativeClient, PASSWORD, passwordLogin, pkce } from '../fixtures/oauth';

jest.setTimeout(120_000);

interface Probe {
  name: string;
  send: (url: string) => Promise<Response>;
  /** What the response is: a token response, an HTML page, or anything else. */
  kind?: 'token' | 'html';
  status?: number;
}

const get =
  (path: string, headers: Record<string, string> = {}) =>
  (url: string) =>
    fetch(`${url}${path}`, { headers, redirect: 'manual' });
const post =
  (path: string, body: string, type = 'application/json', headers: Record<string, string> = {}) =>
  (url: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': type, ...headers },
      body,
      redirect: 'manual',
    });

/** Checks the headers every response must carry, whatever it is; returns what was wrong. */
function problems(res: Response, probe: Probe, https: boolean): string[] {
  const h = (name: string) => res.headers.get(name) ?? '';
  const found: string[] = [];
  const csp = h('content-security-policy');
  if (h('x-content-type-options') !== 'nosniff')
    found.push(`X-Content-Type-Options: ${h('x-content-type-options')}`);
  if (
    !/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/.test(h('referrer-policy'))
  ) {
    found.push(`Referrer-Policy: ${h('referrer-policy')}`);
  }
  if (h('x-frame-options') !== 'DENY' && !/frame-ancestors 'none'/.test(csp)) {
    found.push(`framing allowed: X-Frame-Options ${h('x-frame-options')}, CSP ${csp}`);
  }
  if (!/frame-ancestors 'none'/.test(csp)) found.push(`CSP without frame-ancestors 'none': ${csp}`);
  if (h('x-powered-by')) found.push(`X-Powered-By: ${h('x-powered-by')}`);
  const hsts = h('strict-transport-security');
  if (https ? !/^max-age=\d{7,}/.test(hsts) : hsts !== '') found.push(`Strict-Transport-Security: ${hsts}`);
  const isHtml = /^text\/html/.test(h('content-type'));
  if (probe.kind === 'html' && !isHtml) found.push(`not HTML: ${h('content-type')}`);
  if (isHtml) {
    // Our pages load nothing ('none'), Swagger UI only its own files ('self'); no page runs inline script.
    const scripts = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)?.[1] ?? '*';
    if (!/default-src '(none|self)'/.test(csp) || /\*|'unsafe-|data:|https?:/.test(scripts)) {
      found.push(`HTML without a strict CSP: ${csp}`);
    }
    if (!/no-store/.test(h('cache-control'))) found.push(`HTML cacheable: ${h('cache-control')}`);
  }
  if (probe.kind === 'token' && !/no-store/.test(h('cache-control'))) {
    found.push(`token response cacheable: ${h('cache-control')}`);
  }
  if (probe.status !== undefined && res.status !== probe.status) found.push(`status ${res.status}`);
  return found;
}

/**
 * Security regression suite, property 9: every response — HTML pages, JSON, errors, 404s, redirects,
 * health, JWKS — carries `X-Content-Type-Options: nosniff`, a Referrer-Policy, no framing
 * (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`); token responses and HTML pages are
 * `Cache-Control: no-store`; HTML has a CSP that loads nothing but its own files and runs no inline
 * script; `Strict-Transport-Security` is sent only when PUBLIC_URL is https.
 */
describe('security: security headers on every response (e2e)', () => {
  describe('over http (PUBLIC_URL http://…)', () => {
    let system: RunningSystem;
    let tenant: TenantClient;
    const probes: Probe[] = [];

    beforeAll(async () => {
      system = await startSystem({ projector: false });
      tenant = new TenantClient(system.url);
      const app = await nativeClient(tenant, 'headers', 'com.example.headers://cb');
      const email = `headers-${randomUUID().slice(0, 8)}@example.com`;
      await tenant.createUser(email, PASSWORD);
      const login = await passwordLogin(tenant, app.client_id, email);
      const management = (
        await tenant.form('/oauth/token', {
          grant_type: 'client_credentials',
          client_id: system.env.MANAGEMENT_CLIENT_ID,
          client_secret: system.env.MANAGEMENT_CLIENT_SECRET,
          audience: `${system.url}/api/v2/`,
        })
      ).body.access_token as string;
      const authorize = new URLSearchParams({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: 'com.example.headers://cb',
        scope: 'openid',
        state: 's',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      });
      const delegation = JSON.stringify({
        client_id: app.client_id,
        grant_type: JWT_BEARER,
        refresh_token: login.refresh_token,
      });
      const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
      const bearer = { authorization: `Bearer ${management}` };
      probes.push(
        { name: 'GET /health', send: get('/health'), status: 200 },
        { name: 'GET /health/ready', send: get('/health/ready') },
        { name: 'GET /.well-known/jwks.json', send: get('/.well-known/jwks.json'), status: 200 },
        {
          name: 'GET /.well-known/openid-configuration',
          send: get('/.well-known/openid-configuration'),
          status: 200,
        },
        { name: 'GET an unknown path (404)', send: get('/no-such-path'), status: 404 },
        {
          name: 'DELETE /delegation (404, no such route)',
          send: (u) => fetch(`${u}/delegation`, { method: 'DELETE' }),
        },
        {
          name: 'POST /delegation with malformed JSON (body parser)',
          send: post('/delegation', '{"x":'),
          status: 400,
        },
        { name: 'POST /delegation (200)', send: post('/delegation', delegation), kind: 'token', status: 200 },
        {
          name: 'POST /delegation with an unknown token (403)',
          send: post('/delegation', delegation.replace(login.refresh_token, 'A'.repeat(43))),
          kind: 'token',
          status: 403,
        },
        {
          name: 'GET /delegation with a JSONP callback',
          send: get(`/delegation?${form({ ...JSON.parse(delegation), callback: 'cb' })}`),
          kind: 'token',
          status: 200,
        },
        {
          name: 'POST /oauth/token refresh_token grant (200)',
          send: post(
            '/oauth/token',
            form({
              grant_type: 'refresh_token',
              client_id: app.client_id,
              refresh_token: login.refresh_token,
            }),
            'application/x-www-form-urlencoded',
          ),
          kind: 'token',
          status: 200,
        },
        {
          name: 'POST /oauth/token password grant (200, issues a refresh token)',
          send: post(
            '/oauth/token',
            form({
              grant_type: 'password',
              client_id: app.client_id,
              username: email,
              password: PASSWORD,
              scope: 'openid offline_access',
              device: 'Header phone',
            }),
            'application/x-www-form-urlencoded',
          ),
          kind: 'token',
          status: 200,
        },
        {
          name: 'POST /oauth/token with an unsupported grant (400)',
          send: post('/oauth/token', form({ grant_type: 'magic' }), 'application/x-www-form-urlencoded'),
          kind: 'token',
          status: 400,
        },
        {
          name: 'POST /oauth/token client_credentials (200)',
          send: post(
            '/oauth/token',
            form({
              grant_type: 'client_credentials',
              client_id: system.env.MANAGEMENT_CLIENT_ID,
              client_secret: system.env.MANAGEMENT_CLIENT_SECRET,
              audience: `${system.url}/api/v2/`,
            }),
            'application/x-www-form-urlencoded',
          ),
          kind: 'token',
          status: 200,
        },
        {
          name: 'POST /oauth/revoke (200)',
          send: post(
            '/oauth/revoke',
            form({ client_id: app.client_id, token: 'unknown' }),
            'application/x-www-form-urlencoded',
          ),
          kind: 'token',
          status: 200,
        },
        { name: 'GET /userinfo without a token (401)', send: get('/userinfo'), status: 401 },
        {
          name: 'GET /userinfo (200)',
          send: get('/userinfo', { authorization: `Bearer ${login.access_token}` }),
          status: 200,
        },
        { name: 'GET /api/v2/users without a token (401)', send: get('/api/v2/users'), status: 401 },
        { name: 'GET /api/v2/users (200)', send: get('/api/v2/users', bearer), status: 200 },
        {
          name: 'POST /api/v2/clients (201, carries the client secret)',
          send: post(
            '/api/v2/clients',
            JSON.stringify({ name: 'Headers backend' }),
            'application/json',
            bearer,
          ),
          kind: 'token',
          status: 201,
        },
        {
          name: 'GET /authorize (the login page)',
          send: get(`/authorize?${authorize}`),
          kind: 'html',
          status: 200,
        },
        {
          name: 'GET /authorize with an unregistered callback (error page)',
          send: get(
            `/authorize?${form({ response_type: 'code', client_id: app.client_id, redirect_uri: 'https://evil.example/cb' })}`,
          ),
          kind: 'html',
          status: 400,
        },
        {
          name: 'GET /authorize with plain PKCE (redirect with an error)',
          send: get(`/authorize?${authorize.toString().replace('S256', 'plain')}`),
          status: 302,
        },
        {
          name: 'POST /authorize/login without its CSRF cookie (403 page)',
          send: post(
            '/authorize/login',
            form({ email: 'a@example.com' }),
            'application/x-www-form-urlencoded',
          ),
          kind: 'html',
          status: 403,
        },
        { name: 'GET /dashboard (redirect to login)', send: get('/dashboard'), status: 302 },
        { name: 'GET /dashboard/login', send: get('/dashboard/login'), kind: 'html', status: 200 },
        {
          name: 'POST /dashboard/login from another site (403 page)',
          send: post('/dashboard/login', 'email=a', 'application/x-www-form-urlencoded', {
            origin: 'https://evil.example',
          }),
          kind: 'html',
          status: 403,
        },
        {
          name: 'GET /dashboard/users without a session (redirect)',
          send: get('/dashboard/users'),
          status: 302,
        },
        { name: 'GET /docs (Swagger UI)', send: get('/docs') },
        { name: 'GET /openapi.json', send: get('/openapi.json') },
      );
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('sets them on every response of the api', async () => {
      const report: Record<string, string[]> = {};
      for (const probe of probes) {
        const found = problems(await probe.send(system.url), probe, false);
        if (found.length > 0) report[probe.name] = found;
      }
      expect(report).toEqual({});
      expect(probes.length).toBe(30);
    });

    it('sends Pragma: no-cache with /oauth/token responses as RFC 6749 §5.1 asks', async () => {
      const res = await fetch(`${system.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&client_id=nobody&refresh_token=x',
      });
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
    });

    it('sets them on the projector’s health endpoint too', async () => {
      const projector = await system.startProjector();
      try {
        const res = await fetch(`http://127.0.0.1:${system.env.PROJECTOR_PORT}/health`);
        expect(
          problems(res, { name: 'projector /health', send: get('/health'), status: 200 }, false),
        ).toEqual([]);
      } finally {
        await projector.stop();
      }
    });
  });

  describe('behind https (PUBLIC_URL https://…)', () => {
    let system: RunningSystem;

    beforeAll(async () => {
      system = await startSystem({ projector: false, env: { PUBLIC_URL: 'https://tenant.example.test' } });
    });
    afterAll(async () => {
      await system?.stop();
    });

    it.each([
      ['GET /health', '/health'],
      ['GET /.well-known/jwks.json', '/.well-known/jwks.json'],
      ['GET /dashboard/login', '/dashboard/login'],
      ['GET an unknown path (404)', '/no-such-path'],
    ])('sends Strict-Transport-Security on %s, with the other headers', async (name, path) => {
      const res = await fetch(`${system.url}${path}`, { redirect: 'manual' });
      expect(problems(res, { name, send: get(path) }, true)).toEqual([]);
    });
  });
});
