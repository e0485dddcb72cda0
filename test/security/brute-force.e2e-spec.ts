import { randomBytes, randomUUID } from 'node:crypto';
import { startSystem, TenantClient, type RunningSystem } from '@libs/testing';
import { delegate, nativeClient, PASSWORD, passwordLogin, refreshGrant } from '../fixtures/oauth';

jest.setTimeout(120_000);

/** Failed look-ups per minute per address and per client in these systems (the default is 30). */
const LIMIT = 5;
const guess = () => randomBytes(32).toString('base64url');
const from = (address: string) => ({ 'x-forwarded-for': address });

/** Asserts a 429 with Auth0's body, `Retry-After` within the window and the X-RateLimit-* of the limit hit. */
function expectLimited(res: { status: number; headers: Headers; body: Record<string, unknown> }): void {
  const header = (name: string) => res.headers.get(name);
  expect({ status: res.status, error: res.body.error }).toEqual({ status: 429, error: 'too_many_requests' });
  expect(typeof res.body.error_description).toBe('string');
  const retryAfter = Number(header('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  // The window's end rounded up, minus now rounded down: at most one second more than the window.
  expect(retryAfter).toBeLessThanOrEqual(61);
  expect(header('x-ratelimit-limit')).toBe(String(LIMIT));
  expect(header('x-ratelimit-remaining')).toBe('0');
  const reset = Number(header('x-ratelimit-reset'));
  expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
  expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
}

/** `count` public clients, so that per-address tests stay under the per-client limit. */
const clients = async (tenant: TenantClient, prefix: string, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => nativeClient(tenant, `${prefix}${i}`)));

/**
 * Security regression suite, property 6: guessing refresh tokens is slowed down per address and per client
 * (DELEGATION_FAILURE_LIMIT_PER_MINUTE failed look-ups a minute), at /delegation and the refresh_token
 * grant alike, answered 429 with Retry-After and X-RateLimit-*; X-Forwarded-For counts only from a proxy
 * TRUST_PROXY names, and a guessing run against one client does not lock its users out.
 */
describe('security: guessing refresh tokens is slowed per address and per client (e2e)', () => {
  describe('without a trusted proxy (TRUST_PROXY unset)', () => {
    let system: RunningSystem;
    let tenant: TenantClient;

    beforeAll(async () => {
      system = await startSystem({
        projector: false,
        env: { DELEGATION_FAILURE_LIMIT_PER_MINUTE: String(LIMIT) },
      });
      tenant = new TenantClient(system.url);
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('counts wrong tokens against the connection’s address, whatever X-Forwarded-For claims: the next is 429', async () => {
      const apps = await clients(tenant, 'untrusted', LIMIT + 1);
      for (let i = 0; i < LIMIT; i++) {
        const res = await delegate(tenant, apps[i].client_id, guess(), {}, from(`203.0.113.${i + 1}`));
        expect([i, res.status]).toEqual([i, 403]);
      }
      expectLimited(await delegate(tenant, apps[LIMIT].client_id, guess(), {}, from('198.51.100.99')));
    });

    it('shares the limit between /delegation and the refresh_token grant', async () => {
      const [app] = await clients(tenant, 'untrusted-grant', 1);
      expectLimited(await refreshGrant(tenant, app.client_id, guess(), {}, from('192.0.2.200')));
    });

    it('issue 19 finding 4: says once, at error level, that X-Forwarded-For arrives while TRUST_PROXY is not set', () => {
      const warnings = system.api.logs().filter((l) => l.event === 'untrusted_proxy_headers');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 50 });
      expect(String(warnings[0].msg)).toContain('TRUST_PROXY');
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY=loopback)', () => {
    let system: RunningSystem;
    let tenant: TenantClient;
    let email: string;

    beforeAll(async () => {
      system = await startSystem({
        projector: false,
        env: { DELEGATION_FAILURE_LIMIT_PER_MINUTE: String(LIMIT), TRUST_PROXY: 'loopback' },
      });
      tenant = new TenantClient(system.url);
      email = `guess-${randomUUID().slice(0, 8)}@example.com`;
      await tenant.createUser(email, PASSWORD);
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('counts per forwarded address: one address is limited, another is not', async () => {
      const apps = await clients(tenant, 'per-address', LIMIT + 1);
      for (let i = 0; i < LIMIT; i++) {
        expect((await delegate(tenant, apps[i].client_id, guess(), {}, from('198.51.100.1'))).status).toBe(
          403,
        );
      }
      expectLimited(await delegate(tenant, apps[LIMIT].client_id, guess(), {}, from('198.51.100.1')));
      expectLimited(await refreshGrant(tenant, apps[LIMIT].client_id, guess(), {}, from('198.51.100.1')));
      expect((await delegate(tenant, apps[LIMIT].client_id, guess(), {}, from('198.51.100.2'))).status).toBe(
        403,
      );
    });

    it('counts the addresses of one IPv6 /64 as one address', async () => {
      const apps = await clients(tenant, 'per-prefix', LIMIT + 1);
      for (let i = 0; i < LIMIT; i++) {
        const res = await delegate(tenant, apps[i].client_id, guess(), {}, from(`2001:db8:7:1::${i + 1}`));
        expect(res.status).toBe(403);
      }
      expectLimited(await delegate(tenant, apps[LIMIT].client_id, guess(), {}, from('2001:db8:7:1:ffff::9')));
      expect(
        (await delegate(tenant, apps[LIMIT].client_id, guess(), {}, from('2001:db8:7:2::1'))).status,
      ).toBe(403);
    });

    it('limits one client across many addresses: once over the limit, each address that failed for it gets 429', async () => {
      const [target] = await clients(tenant, 'per-client', 1);
      for (let i = 1; i <= LIMIT; i++) {
        expect((await delegate(tenant, target.client_id, guess(), {}, from(`10.1.0.${i}`))).status).toBe(403);
      }
      // Each of these addresses failed once only (far under the per-address limit): the client's limit answers.
      for (let i = 1; i <= LIMIT; i++) {
        expectLimited(await delegate(tenant, target.client_id, guess(), {}, from(`10.1.0.${i}`)));
      }
      expectLimited(await refreshGrant(tenant, target.client_id, guess(), {}, from('10.1.0.1')));
      // A new address gets one look-up, then it is limited too: spreading buys one guess per address a minute.
      expect((await delegate(tenant, target.client_id, guess(), {}, from('10.1.0.200'))).status).toBe(403);
      expectLimited(await delegate(tenant, target.client_id, guess(), {}, from('10.1.0.200')));
    });

    it('does not lock the client’s users out while it is under attack: their valid tokens still work', async () => {
      const [target] = await clients(tenant, 'under-attack', 1);
      const { refresh_token } = await passwordLogin(tenant, target.client_id, email, 'Phone');
      for (let i = 1; i <= LIMIT + 3; i++) {
        await delegate(tenant, target.client_id, guess(), {}, from(`10.2.0.${i}`));
      }
      expectLimited(await delegate(tenant, target.client_id, guess(), {}, from('10.2.0.1')));
      const user = await delegate(tenant, target.client_id, refresh_token, {}, from('10.9.9.9'));
      expect(user.status).toBe(200);
      expect(
        (await refreshGrant(tenant, target.client_id, refresh_token, {}, from('10.9.9.10'))).status,
      ).toBe(200);
    });
  });
});
