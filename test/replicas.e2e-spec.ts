import { randomBytes, randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startCluster,
  TenantClient,
  testKafka,
  type RunningCluster,
} from '@libs/testing';
import {
  delegate,
  INVALID_REFRESH_TOKEN,
  nativeClient,
  passwordLogin,
  PASSWORD,
  webClient,
} from './fixtures/oauth';

const RELAY_LOCK_KEY = 0x5245_4c41; // libs/event-store/src/outbox-relay.ts
const PER_USER_LIMIT = 10;
const FAILURE_LIMIT = 30; // DELEGATION_FAILURE_LIMIT_PER_MINUTE's default
const ATTEMPT_LIMIT = 10; // AttemptLimiter: 10 failures per 15 minutes
/** Tolerance of the global limits: Redis counts atomically (one Lua increment per request), so none. */
const TOLERANCE = 0;
const LOAD_WORKERS = 2;

let addresses = 0;
/** A client address of its own for each scenario (the load uses IPv6 ones: never the same budget). */
const address = () => `198.51.100.${++addresses}`;
const loadAddress = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;
const forwardedFor = (from: string) => ({ 'x-forwarded-for': from });
const upstream = (res: { headers: Headers }) => res.headers.get('x-upstream') ?? '?';
const log = (message: string) => process.stdout.write(`[replicas] ${message}\n`);

/**
 * Issue 14 point 1: two api replicas behind nginx (TRUST_PROXY=loopback), two projectors in one consumer
 * group, limits in Redis — under traffic. Revocation holds whichever replica answers, every limit is
 * global, no event is applied twice, and the outbox relay fails over when its holder is killed.
 */
describe('replicas behind a reverse proxy (e2e)', () => {
  let cluster: RunningCluster;
  let tenant: TenantClient;
  let db: Client;
  let observer: Consumer;
  /** Event id → when it reached Kafka (as consumed by a test consumer of its own). */
  const onKafka = new Map<string, number>();
  let app: { client_id: string };
  let guessed: { client_id: string };
  let web: { client_id: string };
  let user: { user_id: string; email: string };
  const load = {
    stop: false,
    statuses: new Map<number, number>(),
    upstreams: new Set<string>(),
    done: [] as Promise<void>[],
  };

  const login = async (device: string, from = address()) =>
    (await passwordLogin(tenant, app.client_id, user.email, device, {}, forwardedFor(from))).refresh_token;
  const exchange = (token: string, from = address(), clientId = app.client_id) =>
    delegate(tenant, clientId, token, {}, forwardedFor(from));
  const okSoFar = () => load.statuses.get(200) ?? 0;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startCluster({
      apis: 2,
      projectors: 2,
      env: { DELEGATION_RATE_LIMIT_PER_MINUTE: String(PER_USER_LIMIT), LOG_LEVEL: 'warn' },
    });
    tenant = new TenantClient(cluster.url);
    log(`2 apis behind nginx, 2 projectors and Redis up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    db = new Client({ connectionString: cluster.db.url });
    await db.connect();
    observer = testKafka('replicas-e2e').consumer({ groupId: `${cluster.topicPrefix}test-observer` });
    await observer.connect();
    await observer.subscribe({ topic: eventTopic(cluster.topicPrefix), fromBeginning: true });
    await observer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.event_id?.toString();
        if (id && !onKafka.has(id)) onKafka.set(id, Date.now());
      },
    });
    app = await nativeClient(tenant, 'replicas');
    guessed = await nativeClient(tenant, 'guessed');
    web = await webClient(tenant, 'replicas-web');
    user = await tenant.createUser(`replicas-${randomUUID().slice(0, 8)}@example.com`);
    log(`clients and user created at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Traffic for the whole file: each worker exchanges a credential of its own from ever new addresses.
    for (let worker = 0; worker < LOAD_WORKERS; worker++) {
      const token = await login(`load-${worker}`);
      load.done.push(
        (async () => {
          while (!load.stop) {
            const res = await exchange(token, loadAddress()).catch(() => undefined);
            const status = res?.status ?? 0;
            load.statuses.set(status, (load.statuses.get(status) ?? 0) + 1);
            if (res) load.upstreams.add(upstream(res));
          }
        })(),
      );
    }
  }, 120_000);

  afterAll(async () => {
    const stopping = Date.now();
    load.stop = true;
    await Promise.all(load.done);
    await observer?.disconnect();
    await db?.end();
    await cluster?.stop();
    if (cluster) await deleteTopics(testKafka(), [eventTopic(cluster.topicPrefix)]);
    log(`stopped and cleaned up in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
  }, 60_000);

  it('spreads the traffic over both replicas, which see the clients’ addresses (X-Forwarded-For)', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(upstream(await tenant.json('GET', '/health')));
    expect(seen.size).toBe(2);
    // One address, whichever replica answers, counts in one budget: the replicas believe the proxy.
    const from = address();
    const token = await login('xff-device', from);
    const answers = [];
    for (let i = 0; i < PER_USER_LIMIT; i++) answers.push(await exchange(token, from));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(answers.map((r) => Number(r.headers.get('x-ratelimit-remaining')))).toEqual(
      answers.map((_, i) => PER_USER_LIMIT - 1 - i),
    );
    expect(new Set(answers.map(upstream)).size).toBe(2);
  });

  it('refuses a revoked token at once, whichever replica revoked it and whichever answers next', async () => {
    const [one, two] = cluster.apis.map((a) => new TenantClient(a.url));
    for (const [revoker, asked] of [
      [one, two],
      [two, one],
      [one, one],
    ] as const) {
      const token = await login('revoked');
      expect((await exchange(token)).status).toBe(200);
      const revoke = await revoker!.form('/oauth/revoke', { client_id: app.client_id, token });
      expect(revoke.status).toBe(200);
      expect((await delegate(asked!, app.client_id, token)).body).toEqual(INVALID_REFRESH_TOKEN);
    }
  });

  it(`enforces the per-user delegation limit (${PER_USER_LIMIT}/min) across replicas (±${TOLERANCE})`, async () => {
    const from = address();
    const token = await login('limited-device', from);
    const answers = await Promise.all(
      Array.from({ length: 3 * PER_USER_LIMIT }, () => exchange(token, from)),
    );
    const ok = answers.filter((r) => r.status === 200);
    log(
      `per-user limit ${PER_USER_LIMIT}: ${ok.length} of ${answers.length} concurrent exchanges answered 200, ` +
        `over ${new Set(ok.map(upstream)).size} replicas`,
    );
    expect(new Set(answers.map(upstream)).size).toBe(2);
    expect(Math.abs(ok.length - PER_USER_LIMIT)).toBeLessThanOrEqual(TOLERANCE);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(answers.length - ok.length);
  });

  it(`enforces the failed look-up limit (${FAILURE_LIMIT}/min per address) across replicas`, async () => {
    const from = address();
    const statuses = [];
    for (let i = 0; i < FAILURE_LIMIT + 10; i++) {
      statuses.push((await exchange(randomBytes(32).toString('base64url'), from, guessed.client_id)).status);
    }
    const looked = statuses.filter((s) => s !== 429).length;
    log(`failed look-ups: ${looked} looked up of ${statuses.length} (limit ${FAILURE_LIMIT})`);
    expect(Math.abs(looked - FAILURE_LIMIT)).toBeLessThanOrEqual(TOLERANCE);
  });

  it(`blocks wrong passwords and wrong client secrets after ${ATTEMPT_LIMIT} each, across replicas`, async () => {
    /** ATTEMPT_LIMIT + 2 tries of `fields` from one address, one after the other: their statuses. */
    const tries = async (fields: Record<string, string>, from: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < ATTEMPT_LIMIT + 2; i++) {
        statuses.push((await tenant.form('/oauth/token', fields, forwardedFor(from))).status);
      }
      return statuses;
    };
    const [passwordFrom, secretFrom] = [address(), address()];
    // Two limiters of their own (failed logins, wrong client secrets): both runs at once.
    const [passwords, secrets] = await Promise.all([
      tries(
        { grant_type: 'password', client_id: app.client_id, username: user.email, password: `${PASSWORD}!` },
        passwordFrom,
      ),
      tries(
        {
          grant_type: 'refresh_token',
          client_id: web.client_id,
          client_secret: 'not the secret',
          refresh_token: 'x',
        },
        secretFrom,
      ),
    ]);
    expect(passwords).toEqual([...Array<number>(ATTEMPT_LIMIT).fill(403), 429, 429]);
    expect(secrets).toEqual([...Array<number>(ATTEMPT_LIMIT).fill(401), 429, 429]);
    // The Management API lists the block, whichever replica answers.
    for (let i = 0; i < 2; i++) {
      const blocks = await tenant.management(
        'GET',
        `/user-blocks?identifier=${encodeURIComponent(user.email)}`,
      );
      expect(blocks.body.blocked_for).toEqual([{ identifier: user.email, ip: passwordFrom }]);
    }
  });

  it('runs the outbox relay on one replica at a time, and fails over when its holder is killed', async () => {
    const holder = async () => {
      const { rows } = await db.query(
        `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
         WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted`,
        [RELAY_LOCK_KEY],
      );
      expect(rows.length).toBeLessThanOrEqual(1); // never two holders
      return rows[0]?.application_name as string | undefined;
    };
    const okPerSecond = async (seconds: number) => {
      const before = okSoFar();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      return (okSoFar() - before) / seconds;
    };
    const withTwo = await okPerSecond(4);
    const name = await eventually(holder, 20_000, 5);
    const victim = cluster.apis.find((a) => a.name === name)!;
    victim.process.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.process.exited;
    // The survivor publishes what is committed from now on: the first such event on Kafka is the fail-over.
    const { rows: last } = await db.query('SELECT max(global_position) AS p FROM events');
    const published = await eventually(
      async () => {
        const { rows } = await db.query('SELECT event_id FROM events WHERE global_position > $1', [
          last[0].p,
        ]);
        const times = rows
          .map((r: { event_id: string }) => onKafka.get(r.event_id))
          .filter((t) => t !== undefined);
        return times.length > 0 ? Math.min(...times) : undefined;
      },
      30_000,
      20,
    );
    const failover = published! - killedAt;
    const withOne = await okPerSecond(4);
    log(`relay holder ${name} killed (SIGKILL): the survivor published within ${failover} ms`);
    log(
      `exchanges under load (${LOAD_WORKERS} workers): ${withTwo.toFixed(1)}/s on 2 replicas, ${withOne.toFixed(1)}/s on 1`,
    );
    expect(failover).toBeLessThan(5_000);
    expect(await eventually(holder, 10_000, 5)).not.toBe(name);
  }, 60_000);

  it('publishes every committed event, and applies none twice (the view counts what the events say)', async () => {
    load.stop = true;
    await Promise.all(load.done);
    log(`load: ${JSON.stringify(Object.fromEntries(load.statuses))} over ${[...load.upstreams].join(', ')}`);
    expect(load.upstreams.size).toBeGreaterThanOrEqual(2);
    await eventually(async () => {
      const { rows } = await db.query('SELECT event_id FROM events');
      return rows.every((r: { event_id: string }) => onKafka.has(r.event_id));
    }, 30_000);
    const counts = async () => {
      const { rows: view } = await db.query(
        'SELECT id, delegation_count FROM device_credentials ORDER BY id',
      );
      const { rows: events } = await db.query(
        `SELECT stream_id, count(*) FILTER (WHERE type = 'IdTokenDelegated') AS n FROM events
         WHERE type IN ('TokenIssued', 'IdTokenDelegated') GROUP BY stream_id ORDER BY stream_id`,
      );
      return {
        view: view.map((r: { id: string; delegation_count: number }) => `${r.id}=${r.delegation_count}`),
        events: events.map((r: { stream_id: string; n: string }) => `${r.stream_id}=${r.n}`),
      };
    };
    await eventually(async () => {
      const { view, events } = await counts();
      return view.length === events.length && view.every((v, i) => v === events[i]);
    }, 30_000).catch(async (error) => {
      const { view, events } = await counts();
      expect(view).toEqual(events);
      throw error;
    });
    const delegated = (await db.query(`SELECT count(*) AS n FROM events WHERE type = 'IdTokenDelegated'`))
      .rows[0].n;
    log(`${delegated} IdTokenDelegated events, each applied once by two projectors in one group`);
    const admin = testKafka().admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([`${cluster.topicPrefix}device-credential-projector`]);
    await admin.disconnect();
    expect(groups[0]?.members).toHaveLength(2);
  }, 90_000);
});
