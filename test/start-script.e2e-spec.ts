import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { eventTopic } from '@libs/messaging';
import {
  createTestDatabase,
  deleteTopics,
  eventually,
  freePort,
  testBrokers,
  testKafka,
  uniqueName,
} from '@libs/testing';

const ROOT = resolve(__dirname, '..');

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | string>;
}

function startScript(env: Record<string, string>): Run {
  const child = spawn('bash', ['scripts/start.sh'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | string>((done) =>
    child.on('exit', (code, signal) => {
      process.removeListener('exit', reap);
      done(code ?? signal ?? -1);
    }),
  );
  return { child, output: () => text, exited };
}

/** Every process below `pid` (children, grandchildren, …). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of pairs) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Issue 14 (embedded default): `npm start` with no DATABASE_URL and no server at the default URL starts an
 * embedded PostgreSQL, says so, serves, and stops everything it started on SIGTERM. The machine's own
 * server is never touched: the default URL points at a free port (PGPORT) for this run.
 */
describe('scripts/start.sh and its embedded PostgreSQL (e2e)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'rts-start-'));
  chmodSync(scratch, 0o755); // the server runs as the `postgres` user when the test runs as root
  const prefix = `${uniqueName('start')}.`;
  afterAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await deleteTopics(testKafka(), [eventTopic(prefix)]);
  }, 30_000);

  const baseEnv = async () => {
    const port = await freePort();
    return {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      PROJECTOR_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      PROJECTOR_METRICS_PORT: String(await freePort()),
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      PGPORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
  };

  it('starts an embedded PostgreSQL when none answers at the default URL, and stops all it started', async () => {
    const env = {
      ...(await baseEnv()),
      EMBEDDED_PGPORT: String(await freePort()),
      EMBEDDED_PGDATA: join(scratch, 'pg'),
    };
    const run = startScript(env);
    try {
      const exitedEarly = run.exited.then((code) => {
        throw new Error(`start.sh exited (${code}):\n${run.output()}`);
      });
      await Promise.race([
        eventually(async () => run.output().includes('Refresh-token service is up.'), 240_000),
        exitedEarly,
      ]);
      exitedEarly.catch(() => undefined);
      expect(run.output()).toMatch(/starting an embedded PostgreSQL on 127\.0\.0\.1:\d+/);
      expect(run.output()).toMatch(/PostgreSQL\s+embedded PostgreSQL on 127\.0\.0\.1/);
      expect(run.output()).toContain(`${env.PUBLIC_URL}/health/ready`);
      expect((await fetch(`${env.PUBLIC_URL}/health/ready`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`)).status).toBe(200);

      const postmaster = Number(
        readFileSync(join(env.EMBEDDED_PGDATA, 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      const started = [...descendants(run.child.pid!), postmaster];
      expect(started.length).toBeGreaterThanOrEqual(4); // api, projector, the launcher, its postgres

      run.child.kill('SIGTERM');
      expect(await run.exited).not.toBe('SIGKILL');
      await eventually(async () => started.every((pid) => !alive(pid)), 30_000);
      expect(existsSync(join(env.EMBEDDED_PGDATA, 'postmaster.pid'))).toBe(false);
      await expect(fetch(`${env.PUBLIC_URL}/health`)).rejects.toThrow();
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 300_000);

  it('never replaces an explicit DATABASE_URL: unreachable, it stops and says why', async () => {
    const env = await baseEnv();
    const url = `postgres://postgres@127.0.0.1:${env.PGPORT}/refresh_tokens`;
    const run = startScript({ ...env, DATABASE_URL: url });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('DATABASE_URL is set, but PostgreSQL does not answer there');
    expect(run.output()).not.toContain('starting an embedded PostgreSQL');
  }, 60_000);
  /**
   * Issue 23 point 8: a restart right after a stop printed "up" and then lost the projector to
   * EADDRINUSE. Every port is checked before an app starts; a port another program holds is named and
   * nothing is started (no banner).
   */
  it('stops before starting any app when a port is held by another program, naming it', async () => {
    const env = await baseEnv();
    const db = await createTestDatabase({ migrate: false });
    const squatter = createServer();
    await new Promise<void>((done) => squatter.listen(Number(env.PROJECTOR_METRICS_PORT), '127.0.0.1', done));
    try {
      const run = startScript({ ...env, DATABASE_URL: db.url });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(
        `port ${env.PROJECTOR_METRICS_PORT} (PROJECTOR_METRICS_PORT) is in use by node (pid ${process.pid})`,
      );
      expect(run.output()).not.toContain('Refresh-token service is up.');
      await expect(fetch(`${env.PUBLIC_URL}/health`)).rejects.toThrow();
    } finally {
      squatter.close();
      await db.drop();
    }
  }, 120_000);
});
