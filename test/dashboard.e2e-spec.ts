import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { type Browser, type Page } from 'playwright-core';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  launchChromium,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import { INVALID_REFRESH_TOKEN as INVALID, JWT_BEARER, PASSWORD } from './fixtures/oauth';

const ADMIN = { email: 'ops@example.com', password: 'e2e dashboard password' };
const SCREENSHOT = resolve(__dirname, '../.data/dashboard-user.png');

/**
 * An administrator in headless Chromium against the compiled api and projector: log in, find a user,
 * open their Devices tab, unlink a device behind its ✕ and the confirm page; the device's refresh tokens
 * then fail at /delegation while the other device's still works. The browser logs no error meanwhile.
 */
describe('dashboard in a browser (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let browser: Browser;
  let page: Page;
  let clientId: string;
  let user: { user_id: string; email: string };
  const pixel: string[] = [];
  let ipad: string;
  const browserErrors: string[] = [];

  const passwordGrant = async (device: string) => {
    const res = await tenant.form('/oauth/token', {
      grant_type: 'password',
      client_id: clientId,
      username: user.email,
      password: PASSWORD,
      scope: 'openid offline_access',
      device,
    });
    expect(res.status).toBe(200);
    return res.body.refresh_token as string;
  };
  const delegate = (refreshToken: string) =>
    tenant.json('POST', '/delegation', {
      client_id: clientId,
      grant_type: JWT_BEARER,
      refresh_token: refreshToken,
    });
  const deviceRows = async () =>
    (await page.locator('tbody tr').allInnerTexts()).map((row) => row.split('\t').map((cell) => cell.trim()));

  beforeAll(async () => {
    system = await startSystem({
      env: { DASHBOARD_ADMIN_EMAIL: ADMIN.email, DASHBOARD_ADMIN_PASSWORD: ADMIN.password },
    });
    tenant = new TenantClient(system.url);
    clientId = (
      await tenant.createClient({
        name: 'Notes for Android',
        app_type: 'native',
        callbacks: ['com.example.notes://callback'],
        grant_types: ['authorization_code', 'refresh_token', JWT_BEARER, 'password'],
      })
    ).client_id;
    await tenant.createUser('someone.else@example.com', PASSWORD);
    user = await tenant.createUser(`ada.${Date.now().toString(36)}@example.com`, PASSWORD);
    pixel.push(await passwordGrant('Pixel 9'), await passwordGrant('Pixel 9'));
    ipad = await passwordGrant('iPad');

    // The Devices tab reads the projected view: wait until the projector has applied all three tokens.
    const db = new Client({ connectionString: system.db.url });
    await db.connect();
    try {
      await eventually(async () => {
        const [{ n }] = (
          await db.query(`SELECT count(*)::int AS n FROM device_credentials WHERE user_id = $1`, [
            user.user_id,
          ])
        ).rows;
        return n === 3;
      });
    } finally {
      await db.end();
    }

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => browserErrors.push(`page error: ${error.message}`));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  it('logs in, finds the user, and shows each device with its number of refresh tokens', async () => {
    await page.goto(`${system.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await Promise.all([
      page.waitForURL('**/dashboard/users'),
      page.getByRole('button', { name: 'Log in' }).click(),
    ]);
    expect(await page.locator('header').innerText()).toContain(ADMIN.email);

    await page.getByRole('searchbox', { name: 'Search users' }).fill(user.email.slice(0, 12));
    await Promise.all([
      page.waitForURL('**/dashboard/users?q=*'),
      page.getByRole('button', { name: 'Search' }).click(),
    ]);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await Promise.all([
      page.waitForURL('**/dashboard/users/auth0*'),
      page.getByRole('link', { name: user.email }).click(),
    ]);

    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/dashboard/users/${user.user_id}`);
    const rows = await deviceRows();
    expect(rows.map(([device, application, tokens]) => ({ device, application, tokens }))).toEqual([
      { device: 'iPad', application: `Notes for Android\n${clientId}`, tokens: '1' },
      { device: 'Pixel 9', application: `Notes for Android\n${clientId}`, tokens: '2' },
    ]);
    for (const [, , , created, lastUsed] of rows) {
      expect(created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      expect(lastUsed).toBe('never');
    }
    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 60_000);

  it('unlinks Pixel 9 behind its ✕ and the confirm page, then shows the outcome', async () => {
    await Promise.all([
      page.waitForURL('**/devices/unlink?*'),
      page.getByRole('link', { name: 'Unlink Pixel 9' }).click(),
    ]);
    expect(await page.getByRole('heading').innerText()).toBe('Unlink Pixel 9?');
    await Promise.all([
      page.waitForURL('**/dashboard/users/auth0*'),
      page.getByRole('button', { name: 'Unlink' }).click(),
    ]);

    expect(await page.getByRole('status').innerText()).toBe('Unlinked Pixel 9: 2 refresh tokens revoked');
    expect((await deviceRows()).map(([device, , tokens]) => [device, tokens])).toEqual([['iPad', '1']]);
  }, 60_000);

  it('refuses both Pixel 9 tokens at /delegation while the iPad token still works', async () => {
    for (const token of pixel) {
      const res = await delegate(token);
      expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: INVALID });
    }
    const res = await delegate(ipad);
    expect(res.status).toBe(200);
    expect(res.body.id_token).toEqual(expect.any(String));
  }, 30_000);

  it('logs out, and logged no error in the browser console', async () => {
    await Promise.all([
      page.waitForURL('**/dashboard/login'),
      page.getByRole('button', { name: 'Log out' }).click(),
    ]);
    await page.goto(`${system.url}/dashboard/users`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    expect(browserErrors).toEqual([]);
  }, 30_000);
});
