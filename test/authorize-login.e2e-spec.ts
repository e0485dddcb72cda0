import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { startSystem, TenantClient, type RunningSystem } from '@libs/testing';

const CALLBACK = 'com.example.notes://callback';
const PASSWORD = 'correct horse battery staple';

/**
 * A native app's browser login against the compiled api process: /authorize, the hosted login form
 * (form-urlencoded, parsed by the app's own body parser, CSRF cookie over plain http), the code back at
 * the app's private-use scheme, and its PKCE exchange at /oauth/token for a refresh token bound to the device.
 */
describe('GET /authorize → login form → code → /oauth/token (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let clientId: string;

  beforeAll(async () => {
    system = await startSystem({ projector: false });
    tenant = new TenantClient(system.url);
    clientId = (
      await tenant.createClient({ name: 'Notes & Co "beta"', app_type: 'native', callbacks: [CALLBACK] })
    ).client_id;
    await tenant.createUser('ann@example.com', PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
  });

  const verifier = randomBytes(32).toString('base64url');
  const query = () =>
    new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CALLBACK,
      scope: 'openid offline_access',
      device: 'Ann’s iPhone',
      state: 'st-e2e',
      nonce: 'nonce-e2e',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });

  /** What a browser does: open the login page, keep its cookie, submit the form; returns the redirect. */
  const browserLogin = async (password: string) => {
    const page = await fetch(`${system.url}/authorize?${query()}`, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    const [cookie] = page.headers.getSetCookie();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1];
    const res = await fetch(`${system.url}/authorize/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie.split(';')[0] },
      body: new URLSearchParams({
        csrf_token: field('csrf_token'),
        login_state: field('login_state'),
        email: 'ann@example.com',
        password,
      }),
    });
    return { html, cookie, csrfToken: field('csrf_token'), res };
  };

  it('renders the login page with an http-compatible CSRF cookie and the escaped application name', async () => {
    const { html, cookie } = await browserLogin('wrong password');
    expect(html).toContain('Notes &amp; Co &quot;beta&quot;');
    expect(html).toContain('Ann’s iPhone');
    // PUBLIC_URL is http here: no Secure attribute, no __Secure- prefix, or the browser would drop it.
    expect(cookie).toMatch(/^authorize_csrf=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/authorize; /);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('parses the form-urlencoded login and redirects to the native app with code and state', async () => {
    const { res, csrfToken } = await browserLogin(PASSWORD);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.protocol}//${location.host}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('st-e2e');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const logs = [...system.api.lines, ...system.api.stderr].join('\n');
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(csrfToken);
  });

  it('gives a code the token endpoint exchanges, with the PKCE verifier, for tokens carrying the nonce', async () => {
    const { res } = await browserLogin(PASSWORD);
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const token = await tenant.form('/oauth/token', {
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
    });
    expect({ status: token.status, error: token.body.error_description }).toEqual({
      status: 200,
      error: undefined,
    });
    expect(token.body).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
    expect(decodeJwt(token.body.id_token as string)).toMatchObject({ nonce: 'nonce-e2e', aud: clientId });
  });

  it('shows an error page, never a redirect, for a callback that is not registered', async () => {
    const res = await fetch(
      `${system.url}/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://evil.example/cb' })}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.text()).toMatch(/Callback URL mismatch/);
  });
});
