import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnApp, waitForHealth, type AppProcess } from './app-process';
import { systemEnv } from './system';
import { appRoleUrls, createTestDatabase, type TestDatabase } from './test-database';
import { uniqueName } from './test-kafka';
import { DedicatedRedis, uniqueLimitsPrefix } from './test-redis';

const run = promisify(execFile);
const NGINX = resolve(__dirname, '../../../scripts/proxy/nginx.sh');

export interface ApiReplica {
  /** `api-1`, `api-2`, …: also the `application_name` of its PostgreSQL sessions. */
  name: string;
  url: string;
  process: AppProcess;
}

/** `npm run start:cluster` in a test: api replicas behind nginx, projectors in one consumer group, Redis limits. */
export interface RunningCluster {
  /** The public origin: the proxy. */
  url: string;
  db: TestDatabase;
  env: Record<string, string>;
  topicPrefix: string;
  apis: ApiReplica[];
  projectors: AppProcess[];
  /** The limits' Redis, of this cluster's own (none when `env.REDIS_URL` named one). */
  redis?: DedicatedRedis;
  stop(): Promise<void>;
}

/**
 * Starts `apis` api processes (2) behind nginx (scripts/proxy/nginx.sh, TRUST_PROXY=loopback) and
 * `projectors` projector processes (2) in one consumer group, on a database and topic of their own, the
 * limits in a Redis of their own (scripts/redis/redis.sh) unless `env.REDIS_URL` names one.
 */
export async function startCluster(
  options: { apis?: number; projectors?: number; env?: Record<string, string> } = {},
): Promise<RunningCluster> {
  const db = await createTestDatabase();
  const proxyPort = await freePort();
  const url = `http://127.0.0.1:${proxyPort}`;
  const topicPrefix = `${uniqueName('e2e')}.`;
  const proxyDir = mkdtempSync(join(tmpdir(), 'rts-proxy-'));
  const proxyEnv = { ...process.env, PROXY_DIR: proxyDir, PROXY_PORT: String(proxyPort) };
  const apis: ApiReplica[] = [];
  const projectors: AppProcess[] = [];
  const cluster: RunningCluster = {
    url,
    db,
    env: {},
    topicPrefix,
    apis,
    projectors,
    async stop() {
      await run('bash', [NGINX, 'down'], { env: proxyEnv }).catch(() => undefined);
      rmSync(proxyDir, { recursive: true, force: true });
      await Promise.all([...apis.map((a) => a.process.stop()), ...projectors.map((p) => p.stop())]);
      await cluster.redis?.destroy();
      await db.drop();
    },
  };
  try {
    if (!options.env?.REDIS_URL) cluster.redis = await DedicatedRedis.create();
    const env: Record<string, string> = {
      ...systemEnv(db, url, topicPrefix),
      TRUST_PROXY: 'loopback',
      ...(cluster.redis ? { REDIS_URL: cluster.redis.url } : {}),
      LIMITS_KEY_PREFIX: uniqueLimitsPrefix(),
      ...options.env,
    };
    cluster.env = env;
    const api = async (i: number) => {
      const port = await freePort();
      const name = `api-${i}`;
      const database = new URL(appRoleUrls(db.url).api);
      database.searchParams.set('application_name', name);
      const replica = spawnApp('api', { ...env, PORT: String(port), DATABASE_API_URL: database.toString() });
      apis.push({ name, url: `http://127.0.0.1:${port}`, process: replica });
      await waitForHealth(`http://127.0.0.1:${port}`, replica);
    };
    const projector = async () => {
      const port = await freePort();
      const started = spawnApp('projector', { ...env, PROJECTOR_PORT: String(port) });
      projectors.push(started);
      await waitForHealth(`http://127.0.0.1:${port}`, started);
    };
    // The first api alone (it creates the topic and seeds the tenant), then all the others at once.
    await api(1);
    await Promise.all([
      ...Array.from({ length: (options.apis ?? 2) - 1 }, (_, i) => api(i + 2)),
      ...Array.from({ length: options.projectors ?? 2 }, () => projector()),
    ]);
    apis.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    await run('bash', [NGINX, 'up'], {
      env: { ...proxyEnv, PROXY_UPSTREAMS: apis.map((a) => new URL(a.url).host).join(',') },
      timeout: 120_000,
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
