import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { pgPool } from '@libs/database';
import { eventTopic } from '@libs/messaging';
import { randomToken } from '@libs/security';
import { DedicatedKafkaBroker, freePort, MANAGEMENT, spawnApp, type AppProcess } from '@libs/testing';
import type { ChaosConfig } from './chaos-config';
import { PrivatePostgres } from './private-postgres';
import type { Teardown } from './teardown';
import { waitFor, withTimeout } from './waits';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const MIGRATE = 'dist/apps/api/apps/api/src/migrate.js';
const TOPIC_PREFIX = 'chaos.';

interface Member {
  app: AppProcess;
  port: number;
}

/**
 * The system under chaos: a private PostgreSQL server, a private Kafka broker, the compiled api and
 * one or more projectors as child processes, plus the checker's own connections to PostgreSQL and
 * Kafka (used to watch the system, never by the system).
 */
export class ChaosStack {
  readonly topic = eventTopic(TOPIC_PREFIX);
  readonly groupId = `${TOPIC_PREFIX}device-credential-projector`;
  api?: AppProcess;
  readonly projectors = new Map<string, Member>();
  readonly kafka: Kafka;
  private admin?: Admin;
  /** Every process started, for the logs written at the end. */
  private readonly started: { name: string; app: AppProcess }[] = [];

  private constructor(
    readonly pg: PrivatePostgres,
    readonly broker: DedicatedKafkaBroker,
    readonly db: DataSource,
    readonly url: string,
    readonly env: Record<string, string>,
  ) {
    this.kafka = new Kafka({
      clientId: 'chaos-checker',
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { retries: 2, initialRetryTime: 200 },
    });
  }

  static async start(config: ChaosConfig, teardown: Teardown, log: (line: string) => void) {
    log('starting a private PostgreSQL server and a private Kafka broker');
    const [pg, broker] = await Promise.all([
      PrivatePostgres.create().then((pg) => {
        teardown.add('PostgreSQL', () => pg.destroy(config.keep));
        return pg;
      }),
      DedicatedKafkaBroker.create().then((broker) => {
        teardown.add('Kafka broker', () => broker.destroy());
        return broker;
      }),
    ]);
    const databaseUrl = pg.url('refresh_tokens');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      PUBLIC_URL: url,
      PORT: String(port),
      PROJECTOR_PORT: String(await freePort()),
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC_PREFIX: TOPIC_PREFIX,
      KAFKA_PARTITIONS: String(config.partitions),
      MANAGEMENT_CLIENT_ID: MANAGEMENT.clientId,
      MANAGEMENT_CLIENT_SECRET: MANAGEMENT.clientSecret,
      // Secrets of this run only, known to the checker: it hashes the refresh tokens it holds as the api
      // does (to find them in the events) and verifies the event chain with the audit key.
      SERVER_SECRET: randomToken(32),
      AUDIT_KEY: randomToken(32),
      DELEGATION_RATE_LIMIT_PER_MINUTE: '1000000',
      DELEGATION_FAILURE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
    };
    log('migrating (the compiled migrate entry, as npm start does)');
    await run(process.execPath, [MIGRATE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
      timeout: 120_000,
    });
    const db = new DataSource({
      type: 'postgres',
      url: databaseUrl,
      extra: { max: 4, connectionTimeoutMillis: 3_000 },
    });
    await db.initialize();
    // Connections die with the server in the restart scenario: the pool drops them and reconnects.
    pgPool(db).on('error', () => undefined);
    const stack = new ChaosStack(pg, broker, db, url, env);
    teardown.add('checker connections', () => stack.closeChecker());
    teardown.add('apps', async () => {
      await stack.stopApps();
      stack.writeLogs(resolve(ROOT, config.logsDir));
    });
    log('starting the api and the projector');
    stack.startApi();
    stack.startProjector('projector-1');
    await waitFor('every process ready', () => stack.ready(), config.recoveryTimeoutMs, 200);
    return stack;
  }

  /** Starts the api (again, after a kill). Readiness is for the caller to wait for. */
  startApi(): AppProcess {
    this.api = spawnApp('api', this.env);
    this.started.push({ name: 'api', app: this.api });
    return this.api;
  }

  async killApi(): Promise<void> {
    await withTimeout('api exit after SIGKILL', this.api!.stop('SIGKILL'), 10_000);
  }

  /** Starts a projector; each member serves its health endpoint on a port of its own. */
  startProjector(name: string, port = Number(this.env.PROJECTOR_PORT)): AppProcess {
    const app = spawnApp('projector', { ...this.env, PROJECTOR_PORT: String(port) });
    this.projectors.set(name, { app, port });
    this.started.push({ name, app });
    return app;
  }

  async stopProjector(name: string, signal: NodeJS.Signals): Promise<void> {
    const member = this.projectors.get(name);
    if (!member) return;
    this.projectors.delete(name);
    await withTimeout(`${name} exit after ${signal}`, member.app.stop(signal), 30_000);
  }

  /** Processes that ended although the chaos did not stop them. */
  crashed(): string[] {
    const dead = (app?: AppProcess) =>
      !!app && (app.child.exitCode !== null || app.child.signalCode !== null);
    return [
      ...(dead(this.api) ? ['api'] : []),
      ...[...this.projectors].filter(([, m]) => dead(m.app)).map(([name]) => name),
    ];
  }

  /** Restarts what crashed on its own (already counted against its scenario), so the next one starts whole. */
  async heal(timeoutMs: number): Promise<void> {
    for (const name of this.crashed()) {
      if (name === 'api') this.startApi();
      else this.startProjector(name, this.projectors.get(name)!.port);
    }
    await waitFor('every process ready', () => this.ready(), timeoutMs, 200);
  }

  /** Every running process answers `/health/ready` with 200 (PostgreSQL and Kafka up for it). */
  async ready(): Promise<boolean> {
    const probe = async (base: string) => {
      try {
        const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(3_000) });
        await res.arrayBuffer();
        return res.status === 200;
      } catch {
        return false;
      }
    };
    const bases = [this.url, ...[...this.projectors.values()].map((m) => `http://127.0.0.1:${m.port}`)];
    return (await Promise.all(bases.map(probe))).every(Boolean);
  }

  /** The topic's high watermarks by partition (the offset the next message will get). */
  async highWatermarks(): Promise<bigint[]> {
    try {
      this.admin ??= this.kafka.admin();
      await this.admin.connect();
      const offsets = await withTimeout('high watermarks', this.admin.fetchTopicOffsets(this.topic), 10_000);
      const marks: bigint[] = [];
      for (const o of offsets) marks[o.partition] = BigInt(o.high);
      return marks;
    } catch (error) {
      // A broker restart leaves the admin client's connection broken: the next call starts afresh.
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** The projector's stored checkpoints (next offset to apply) by partition. */
  async checkpoints(): Promise<bigint[]> {
    const rows: { partition: number; next_offset: string }[] = await this.db.query(
      `SELECT partition, next_offset FROM projection_checkpoints WHERE projection = 'device-credentials' AND topic = $1`,
      [this.topic],
    );
    const marks: bigint[] = [];
    for (const r of rows) marks[r.partition] = BigInt(r.next_offset);
    return marks;
  }

  /** Messages on the topic the view has not applied yet (0 when caught up). */
  async lag(): Promise<bigint> {
    const [high, done] = await Promise.all([this.highWatermarks(), this.checkpoints()]);
    return high.reduce((sum, h, p) => sum + (h > (done[p] ?? 0n) ? h - (done[p] ?? 0n) : 0n), 0n);
  }

  /** True while a projector has a batch transaction open (its last statement read or wrote the view). */
  async projectorInTransaction(): Promise<boolean> {
    const [{ open }] = await this.db.query(`
      SELECT count(*) > 0 AS open FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND datname = current_database()
        AND state IN ('active', 'idle in transaction') AND xact_start IS NOT NULL
        AND (query LIKE '%FROM projection_checkpoints%FOR UPDATE%'
          OR query LIKE '%FROM device_credentials WHERE id = ANY%FOR UPDATE%'
          OR query LIKE '%INSERT INTO device_credentials%'
          OR query LIKE '%INSERT INTO projection_checkpoints%')`);
    return open;
  }

  /**
   * True while an append to the event store is executing. A statement whose client is killed still
   * commits (PostgreSQL only notices when it sends the result): its answers are lost, its events stored.
   */
  async appendInFlight(): Promise<boolean> {
    const [{ open }] = await this.db.query(`
      SELECT count(*) > 0 AS open FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND datname = current_database()
        AND state = 'active' AND query LIKE '%INSERT INTO events (%'`);
    return open;
  }

  async outboxRows(): Promise<number> {
    return Number((await this.db.query('SELECT count(*)::int AS n FROM outbox'))[0].n);
  }

  /** Waits until every committed event is on the topic and applied to the view (traffic stopped). */
  async drain(timeoutMs: number): Promise<void> {
    await waitFor(
      'outbox empty and view at the high watermark',
      async () => (await this.outboxRows()) === 0 && (await this.lag()) === 0n,
      timeoutMs,
      200,
    );
  }

  async closeChecker(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    if (this.db.isInitialized) await this.db.destroy();
  }

  /** Writes what each process printed (warnings and errors: the apps run at LOG_LEVEL=warn). */
  writeLogs(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.started.forEach(({ name, app }, i) => {
      const exit = app.child.exitCode ?? app.child.signalCode ?? 'running';
      writeFileSync(
        join(dir, `${String(i + 1).padStart(2, '0')}-${name}.log`),
        [`# pid ${app.child.pid}, exit ${exit}`, ...app.lines, ...app.stderr].join('\n') + '\n',
      );
    });
  }

  /** SIGTERM to every app still running, SIGKILL to those that do not end within 10 s. */
  async stopApps(): Promise<void> {
    const apps = [this.api, ...[...this.projectors.values()].map((m) => m.app)].filter(
      (a): a is AppProcess => !!a,
    );
    await Promise.all(
      apps.map((app) =>
        withTimeout('graceful exit', app.stop('SIGTERM'), 10_000).catch(() => app.stop('SIGKILL')),
      ),
    );
  }
}
