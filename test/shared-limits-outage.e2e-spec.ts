import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { eventTopic } from '@libs/messaging';
import {
  DedicatedRedis,
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  uniqueLimitsPrefix,
  type RunningSystem,
} from '@libs/testing';
import { delegate, nativeClient, PASSWORD, passwordLogin } from './fixtures/oauth';

const PER_USER_LIMIT = 5;

/**
 * ADR 0010: the limits' Redis stopped under a running api. Limits fail open to per-process counts (still
 * enforced), the api stays ready, logs in and exchanges tokens, warns once, and shares its counts in
 * Redis again once it is back.
 */
describe('shared limits with their Redis down (e2e, a Redis of its own stopped and started)', () => {
  let redis: DedicatedRedis;
  let system: RunningSystem;
  let tenant: TenantClient;
  const prefix = uniqueLimitsPrefix();
  const logged = (start: string) => system.api.logs().some((l) => String(l.msg).startsWith(start));
  const limitKeys = async () => {
    const client = new Redis(redis.url, { lazyConnect: true });
    await client.connect();
    try {
      return await client.keys(`${prefix}*`);
    } finally {
      client.disconnect();
    }
  };

  beforeAll(async () => {
    redis = await DedicatedRedis.create();
    system = await startSystem({
      projector: false,
      env: {
        REDIS_URL: redis.url,
        LIMITS_KEY_PREFIX: prefix,
        DELEGATION_RATE_LIMIT_PER_MINUTE: String(PER_USER_LIMIT),
      },
    });
    tenant = new TenantClient(system.url);
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await redis?.destroy();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 60_000);

  it('keeps serving with per-process limits while Redis is down, and shares them again once it is back', async () => {
    const app = await nativeClient(tenant, 'outage');
    const user = await tenant.createUser(`outage-${randomUUID().slice(0, 8)}@example.com`);
    const exchanges = async (n: number, token: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await delegate(tenant, app.client_id, token)).status);
      return statuses;
    };
    const limited = [...Array<number>(PER_USER_LIMIT).fill(200), 429, 429];

    // Up: the per-user count lives in Redis.
    const first = await passwordLogin(tenant, app.client_id, user.email, 'phone');
    expect(await exchanges(1, first.refresh_token)).toEqual([200]);
    expect((await limitKeys()).some((k) => k.startsWith(`${prefix}delegations-user:`))).toBe(true);

    // Down: logins, exchanges and readiness go on; each process enforces the limit alone.
    await redis.stop();
    const second = await passwordLogin(tenant, app.client_id, user.email, 'tablet');
    expect(await exchanges(PER_USER_LIMIT + 2, second.refresh_token)).toEqual(limited);
    expect((await tenant.json('GET', '/health/ready')).status).toBe(200);
    expect(logged('limits store unreachable')).toBe(true);

    // Back (empty: Redis keeps nothing on disk): counted in Redis again.
    await redis.start();
    await eventually(() => logged('limits store reachable again'), 15_000);
    expect(await exchanges(PER_USER_LIMIT + 2, second.refresh_token)).toEqual(limited);
    expect((await limitKeys()).some((k) => k.startsWith(`${prefix}delegations-user:`))).toBe(true);
    expect(
      system.api.logs().filter((l) => String(l.msg).startsWith('limits store unreachable')),
    ).toHaveLength(1);
  }, 60_000);

  it('issue 19 finding 13: DPoP proofs fail closed while Redis is down (503 temporarily_unavailable), bearer logins go on', async () => {
    const app = await nativeClient(tenant, 'outage-dpop');
    const user = await tenant.createUser(`outage-dpop-${randomUUID().slice(0, 8)}@example.com`);
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const proof = () =>
      new SignJWT({ htm: 'POST', htu: `${system.url}/oauth/token`, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .setIssuedAt()
        .sign(privateKey);
    const login = async (headers: Record<string, string> = {}) =>
      tenant.form(
        '/oauth/token',
        {
          grant_type: 'password',
          client_id: app.client_id,
          username: user.email,
          password: PASSWORD,
          scope: 'openid',
        },
        headers,
      );

    const count = (start: string) => system.api.logs().filter((l) => String(l.msg).startsWith(start)).length;
    const recoveries = count('DPoP replay cache reachable again');
    expect((await login({ DPoP: await proof() })).status).toBe(200);
    await redis.stop();
    try {
      // Each replica would remember only its own proofs: one proof, replayed once per replica.
      const refused = await login({ DPoP: await proof() });
      expect({ status: refused.status, body: refused.body }).toEqual({
        status: 503,
        body: { error: 'temporarily_unavailable', error_description: expect.any(String) },
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await login()).status).toBe(200);
      expect(logged('DPoP replay cache unreachable')).toBe(true);
    } finally {
      await redis.start();
    }
    await eventually(() => count('DPoP replay cache reachable again') > recoveries, 15_000);
    const again = await proof();
    expect((await login({ DPoP: again })).status).toBe(200);
    expect((await login({ DPoP: again })).body).toMatchObject({ error: 'invalid_dpop_proof' });
  }, 60_000);
});
