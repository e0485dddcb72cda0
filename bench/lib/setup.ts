import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import { deleteTopics, eventually, testKafka, type RunningSystem, type TenantClient } from '@libs/testing';
import type { Alg } from './baseline-server';
import { JWT_BEARER, PASSWORD } from '../../test/fixtures/oauth';

const ROOT = resolve(__dirname, '../..');

/** Stops a bench's system, drops its topic, and stops the broker `ensureKafka` started (if it did). */
export async function stopBenchSystem(
  system: RunningSystem,
  kafka: ReturnType<typeof ensureKafka>,
): Promise<void> {
  await system.stop();
  await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]).catch(() => undefined);
  if (kafka.startedHere) kafka.stop();
}

/** Makes sure a broker answers on 127.0.0.1:9092; returns how to undo what this did (nothing if it was up). */
export function ensureKafka(): { startedHere: boolean; stop(): void } {
  const kafka = (command: string, stdio: 'ignore' | 'inherit') =>
    execFileSync('bash', ['scripts/kafka/kafka.sh', command], { cwd: ROOT, stdio });
  try {
    kafka('status', 'ignore');
    return { startedHere: false, stop: () => undefined };
  } catch {
    kafka('up', 'inherit');
    return { startedHere: true, stop: () => kafka('down', 'inherit') };
  }
}

export interface BenchClient {
  alg: Alg;
  clientId: string;
  lifetimeSeconds: number;
}

export interface IssuedToken {
  refreshToken: string;
  userId: string;
  clientId: string;
}

/** A native (public) client that may use the password grant and /delegation, signing with `alg`. */
export async function createBenchClient(tenant: TenantClient, alg: Alg): Promise<BenchClient> {
  const lifetimeSeconds = 36_000;
  const { client_id } = await tenant.createClient({
    name: `bench ${alg}`,
    app_type: 'native',
    callbacks: ['com.example.bench://callback'],
    grant_types: ['password', 'refresh_token', JWT_BEARER],
    jwt_configuration: { alg, lifetime_in_seconds: lifetimeSeconds },
  });
  return { alg, clientId: client_id, lifetimeSeconds };
}

export async function createUsers(
  tenant: TenantClient,
  count: number,
): Promise<{ userId: string; email: string }[]> {
  const run = Date.now().toString(36);
  // Sequential on purpose: each creation is a scrypt hash, and parallel ones only queue on the same cores.
  const users = [];
  for (let i = 0; i < count; i++) {
    const user = await tenant.createUser(`bench-${run}-${i}@example.com`, PASSWORD);
    users.push({ userId: user.user_id, email: user.email });
  }
  return users;
}

/**
 * `count` refresh tokens for `client` through the real password grant, spread over `users`, each for
 * its own device (a token is bound to client + user + device). Each grant costs the api one scrypt
 * verify, so `concurrency` only needs to keep the api's thread pool busy.
 */
export async function issueTokens(
  tenant: TenantClient,
  client: BenchClient,
  users: { userId: string; email: string }[],
  count: number,
  concurrency: number,
): Promise<IssuedToken[]> {
  const tokens: IssuedToken[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const user = users[i % users.length];
      const res = await tenant.form('/oauth/token', {
        grant_type: 'password',
        client_id: client.clientId,
        username: user.email,
        password: PASSWORD,
        // No profile/email scope: the id_token then carries exactly the claims the baseline signs.
        scope: 'openid offline_access',
        device: `bench-${client.alg}-${i}`,
      });
      if (res.status !== 200 || typeof res.body.refresh_token !== 'string') {
        throw new Error(`password grant failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
      tokens.push({ refreshToken: res.body.refresh_token, userId: user.userId, clientId: client.clientId });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}

export interface DatabaseStats {
  transactions: number;
  walSyncs: number;
  walBytes: number;
  eventsInserted: number;
  outboxRowOps: number;
  viewUpdates: number;
}

/** Read-only queries on the system's database: the bench's evidence that every exchange was recorded. */
export class BenchDatabase {
  private constructor(private readonly client: Client) {}

  static async connect(url: string): Promise<BenchDatabase> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new BenchDatabase(client);
  }

  private async count(sql: string): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(sql);
    return Number(rows[0].n);
  }

  delegatedEvents(): Promise<number> {
    return this.count(`SELECT count(*) AS n FROM events WHERE type = 'IdTokenDelegated'`);
  }

  /**
   * Waits until the projector has applied every event (view rows for every token, every delegation
   * counted, outbox empty), so that one measured run's catch-up work does not eat into the next run's
   * CPU. Returns how long that took, in ms: the projection lag at the end of a run.
   */
  async waitForQuiet(expectedCredentials: number, timeoutMs = 120_000): Promise<number> {
    const started = performance.now();
    await eventually(
      async () => {
        const [credentials, counted, delegated, outbox] = await Promise.all([
          this.count('SELECT count(*) AS n FROM device_credentials'),
          this.count('SELECT coalesce(sum(delegation_count), 0) AS n FROM device_credentials'),
          this.delegatedEvents(),
          this.count('SELECT count(*) AS n FROM outbox'),
        ]);
        return credentials >= expectedCredentials && counted === delegated && outbox === 0;
      },
      timeoutMs,
      200,
    );
    return performance.now() - started;
  }

  /**
   * Waits until the statistics counters include every event row in the table: backends report their
   * counters lazily (at most once a second, later when idle), so a snapshot taken right after a run
   * would miss part of it.
   */
  async waitForStats(timeoutMs = 20_000): Promise<void> {
    await eventually(
      async () =>
        (await this.stats()).eventsInserted >= (await this.count('SELECT count(*) AS n FROM events')),
      timeoutMs,
      250,
    );
  }

  /**
   * Cumulative statistics counters (no extension needed): transactions of this database (every
   * autocommit statement counts as one), WAL flushes of the whole server (other databases on a shared
   * server add to it), and row changes of the tables the hot path writes. Deltas around a run, divided
   * by its requests, give the database work per exchange.
   */
  async stats(): Promise<DatabaseStats> {
    const { rows } = await this.client.query<Record<keyof DatabaseStats, string>>(`
      SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS transactions,
             (SELECT wal_sync FROM pg_stat_wal) AS "walSyncs",
             (SELECT wal_bytes FROM pg_stat_wal) AS "walBytes",
             (SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'events') AS "eventsInserted",
             (SELECT n_tup_ins + n_tup_del FROM pg_stat_user_tables WHERE relname = 'outbox') AS "outboxRowOps",
             (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'device_credentials') AS "viewUpdates"`);
    const row = rows[0];
    return {
      transactions: Number(row.transactions),
      walSyncs: Number(row.walSyncs),
      walBytes: Number(row.walBytes),
      eventsInserted: Number(row.eventsInserted),
      outboxRowOps: Number(row.outboxRowOps),
      viewUpdates: Number(row.viewUpdates),
    };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
