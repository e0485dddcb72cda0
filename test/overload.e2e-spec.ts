import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  MANAGEMENT,
  startSystem,
  TenantClient,
  testKafka,
  type AppProcess,
  type RunningSystem,
} from '@libs/testing';
import { delegate, nativeClient, PASSWORD, passwordLogin, refreshGrant } from './fixtures/oauth';

// Limits high enough that the load measures overload behaviour, not the rate limiter.
const NO_RATE_LIMITS = {
  DELEGATION_RATE_LIMIT_PER_MINUTE: '1000000',
  DELEGATION_FAILURE_LIMIT_PER_MINUTE: '1000000',
  LOG_LEVEL: 'warn',
};

async function stop(system: RunningSystem | undefined) {
  await system?.stop();
  if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
}

/** A native client and one refresh token per device, all of one fresh user. */
async function tokensFor(tenant: TenantClient, name: string, devices: string[]) {
  const { client_id: clientId } = await nativeClient(tenant, name);
  const user = await tenant.createUser(`${name}-${Date.now()}@example.com`, PASSWORD);
  const tokens: Record<string, string> = {};
  // One at a time: each login costs a scrypt verification. The password grant is never shed.
  for (const device of devices) {
    tokens[device] = (await passwordLogin(tenant, clientId, user.email, device)).refresh_token;
  }
  return { clientId, tokens };
}

/** A request's outcome once it has one: its answer, or the error its fetch rejected with. */
function outcomeOf(request: Promise<unknown>): { settled?: string } {
  const outcome: { settled?: string } = {};
  request.then(
    (answer) => (outcome.settled = `answered ${JSON.stringify(answer)}`),
    (error: unknown) =>
      (outcome.settled = `rejected: ${error instanceof Error ? error.stack : String(error)}`),
  );
  return outcome;
}

/**
 * Waits until `n` statements are blocked by the transaction of the holder's session (`holderPid`);
 * fails at once if the request that should be blocked (`pending`) is answered or rejected instead,
 * and says why either way.
 *
 * `observer` must be another connection: inside a transaction PostgreSQL takes its list of sessions
 * (pg_stat_activity) once, at the first read, so the holder never sees a connection the api's pool
 * opens after that — the one whose statement it waits for, when the pool had closed its idle ones.
 * Only sessions that wait for the holder count (`pg_blocking_pids`), whatever else waits on a lock and
 * whichever role they run as.
 */
async function blockedBy(
  { holderPid, observer, api }: { holderPid: number; observer: Client; api: AppProcess },
  n: number,
  pending: Promise<unknown>,
): Promise<void> {
  const outcome = outcomeOf(pending);
  const sessions = () =>
    observer.query<{ pid: number; blocked: boolean }>(
      `SELECT pid, usename, state, wait_event_type, wait_event, $1::int = ANY(pg_blocking_pids(pid)) AS blocked,
              left(query, 100) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      [holderPid],
    );
  const fail = async (why: string) => {
    const { rows } = await sessions();
    return new Error(
      [
        `${why} (holder pid ${holderPid})`,
        'pg_stat_activity:',
        ...rows.map((r) => JSON.stringify(r)),
        "api's last stderr lines:",
        ...api.stderr.slice(-20),
        "api's last log lines:",
        ...api.lines.slice(-20),
      ].join('\n'),
    );
  };
  // Generous (30 s): on a loaded CI machine a delegation can take seconds to reach its insert.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (outcome.settled) throw await fail(`not blocked by the held rows: ${outcome.settled}`);
    const { rows } = await sessions();
    if (rows.filter((r) => r.blocked).length >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw await fail(`never ${n} statements blocked by the held rows`);
}

/**
 * Issue 15: under overload the control plane comes first (a revocation does not queue behind the
 * delegations) and the hot path is shed with a quick 503 instead of waiting.
 */
describe('overload (e2e)', () => {
  describe('the control plane first (default limits)', () => {
    let system: RunningSystem;
    beforeAll(async () => {
      system = await startSystem({ env: NO_RATE_LIMITS });
    }, 60_000);
    afterAll(() => stop(system), 30_000);

    /**
     * Deterministic, whatever the machine's load: the delegations' group commit is stalled (both of its
     * statements in flight wait on a row lock this test holds), so every delegation queues behind it —
     * including those of the credential being revoked. Without the control plane the DELETE queues there
     * too (in the credential's per-stream queue and the group commit's) until the lock goes.
     */
    it("revokes while the delegations' group commit is stalled, and refuses the delegations queued before it", async () => {
      const tenant = new TenantClient(system.url);
      const crowd = Array.from({ length: 8 }, (_, i) => `crowd-${i}`);
      const { clientId, tokens } = await tokensFor(tenant, 'stalled', ['x', 'y', 'z', ...crowd]);
      const delegated = (device: string) => delegate(tenant, clientId, tokens[device]);
      expect((await tenant.management('GET', '/device-credentials?per_page=1')).status).toBe(200); // M2M token
      const holder = new Client({ connectionString: system.db.url });
      const observer = new Client({ connectionString: system.db.url });
      await Promise.all([holder.connect(), observer.connect()]);
      try {
        const { rows } = await holder.query<{ device: string; stream_id: string }>(
          `SELECT data ->> 'device_name' AS device, stream_id FROM events
            WHERE type = 'TokenIssued' AND data ->> 'client_id' = $1`,
          [clientId],
        );
        const streams = new Map(rows.map((r) => [r.device, r.stream_id]));
        const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        // Uncommitted rows at the versions x's and y's next delegations take: their inserts wait on them.
        await holder.query('BEGIN');
        for (const device of ['x', 'y']) {
          await holder.query(
            `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, occurred_at,
                                 correlation_id, hash, data)
             SELECT gen_random_uuid(), stream_id, max(stream_version) + 1, 'IdTokenDelegated', 1, now(),
                    'overload-e2e', 'placeholder', '{}'
               FROM events WHERE stream_id = $1 GROUP BY stream_id`,
            [streams.get(device)],
          );
        }
        // One at a time, so that each takes one of the group commit's two statements in flight.
        const settled = new Set<string>();
        const stalled: ReturnType<typeof delegated>[] = [];
        for (const device of ['x', 'y']) {
          stalled.push(delegated(device).finally(() => settled.add(device)));
          await blockedBy({ holderPid, observer, api: system.api }, stalled.length, stalled.at(-1)!);
        }
        // /delegation saturated: 45 more exchanges in flight, none finishing while the lock is held.
        const piled = Array.from({ length: 40 }, (_, i) => delegated(crowd[i % crowd.length]));
        const queued = Array.from({ length: 5 }, () => delegated('z'));
        await new Promise((r) => setTimeout(r, 500)); // they reach the group commit's queue

        const began = performance.now();
        const deletion = tenant
          .management('DELETE', `/device-credentials/${streams.get('z')}`)
          .then((res) => ({ res, ms: performance.now() - began }));
        // Generous: 5 s (an idle DELETE takes milliseconds); without the control plane it waits for the lock.
        await Promise.race([deletion, new Promise((r) => setTimeout(r, 5_000))]);
        const stillStalled = settled.size === 0; // the delegations of x and y still wait
        await holder.query('ROLLBACK');
        const { res, ms } = await deletion;
        console.log(JSON.stringify({ stalledGroupCommit: { deleteMs: Math.round(ms), status: res.status } }));
        expect(stillStalled).toBe(true);
        expect(res.status).toBe(204);
        expect(ms).toBeLessThan(5_000);
        // The guarantee holds: the delegations of z queued before the revocation are refused (the one already
        // decided loses its race for the stream version, reads the revocation and is refused too).
        expect((await Promise.all(queued)).map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
        expect((await Promise.all(stalled)).map((r) => r.status)).toEqual([200, 200]);
        expect(new Set((await Promise.all(piled)).map((r) => r.status))).toEqual(new Set([200]));
        expect((await delegated('z')).status).toBe(403);
      } finally {
        await Promise.all([holder.end(), observer.end()]);
      }
    }, 120_000);
  });

  describe('past OVERLOAD_MAX_INFLIGHT=1', () => {
    let system: RunningSystem;
    let tenant: TenantClient;
    let db: Client;
    let clientId: string;
    let tokens: string[];

    beforeAll(async () => {
      system = await startSystem({
        env: { ...NO_RATE_LIMITS, OVERLOAD_MAX_INFLIGHT: '1', OVERLOAD_RETRY_AFTER_SECONDS: '7' },
      });
      db = new Client({ connectionString: system.db.url });
      await db.connect();
      tenant = new TenantClient(system.url);
      const issued = await tokensFor(tenant, 'overload', ['d0', 'd1', 'd2', 'd3']);
      clientId = issued.clientId;
      tokens = Object.values(issued.tokens);
    }, 90_000);
    afterAll(async () => {
      await db?.end();
      await stop(system);
    }, 30_000);

    const delegatedEvents = async () =>
      Number((await db.query(`SELECT count(*) AS n FROM events WHERE type = 'IdTokenDelegated'`)).rows[0].n);

    it('answers the excess at once with 503 temporarily_unavailable and Retry-After, having written nothing for it', async () => {
      const before = await delegatedEvents();
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0
            ? delegate(tenant, clientId, tokens[i % tokens.length])
            : refreshGrant(tenant, clientId, tokens[i % tokens.length]),
        ),
      );
      const ok = answers.filter((a) => a.status === 200);
      const shed = answers.filter((a) => a.status === 503);
      expect(ok.length + shed.length).toBe(answers.length);
      expect(ok.length).toBeGreaterThan(0);
      expect(shed.length).toBeGreaterThan(0);
      for (const answer of shed) {
        expect(answer.headers.get('retry-after')).toBe('7');
        expect(answer.headers.get('cache-control')).toBe('no-store');
        expect(answer.body).toEqual({
          error: 'temporarily_unavailable',
          error_description: 'The service is overloaded. Try again shortly.',
        });
      }
      // A response means durable, and a shed request did no write: one event per 200, none per 503.
      expect((await delegatedEvents()) - before).toBe(ok.length);
    }, 60_000);

    it('keeps health green and revocations served (the control plane is never shed)', async () => {
      const hammer = Array.from({ length: 30 }, () => delegate(tenant, clientId, tokens[0]));
      const revoked = await tenant.form('/oauth/revoke', { client_id: clientId, token: tokens[3] });
      expect(revoked.status).toBe(200);
      // Not the hot path: the Management API's client-credentials grant is never shed.
      const m2m = await tenant.form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: MANAGEMENT.clientId,
        client_secret: MANAGEMENT.clientSecret,
        audience: `${system.url}/api/v2/`,
      });
      expect(m2m.status).toBe(200);
      await Promise.all(hammer);
      expect((await delegate(tenant, clientId, tokens[3])).status).toBe(403);
      expect((await tenant.json('GET', '/health')).status).toBe(200);
      const ready = await tenant.json('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.overload).toEqual(expect.objectContaining({ inFlight: expect.any(Number) }));
    }, 60_000);
  });
});
