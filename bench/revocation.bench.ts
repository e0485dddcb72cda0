/**
 * `npm run bench:revocation`: how fast a revocation takes effect. Measures the latency of
 * `DELETE /api/v2/device-credentials/{id}` (the response means the revocation is durable and enforced)
 * and the time until the projected view shows the credential revoked (what list endpoints and other
 * consumers see), p50/p99 — with 50 clients delegating continuously, and, as the baseline in the same
 * run, on the idle system. Ratios = saturated / idle (1.0: load costs nothing). Target (issue 15): DELETE
 * p99 ≤ 20 ms while `/delegation` is saturated; the delegations past admission control get quick 503s.
 *
 * Environment: BENCH_SECONDS (load duration, 15), BENCH_REVOCATIONS (under load, 100; idle, half),
 * BENCH_TOKENS (tokens delegating, 300), BENCH_CONCURRENCY (50), BENCH_CPU_PROF=1 (a V8 CPU profile of
 * the api over the loaded phase, written to .data/bench/profiles; summarise with bench/lib/cpu-profile.ts).
 */
import { resolve } from 'node:path';
import { Client } from 'pg';
import { startSystem, TenantClient } from '@libs/testing';
import { profilerEnv } from './lib/cpu-profile';
import { runLoad, summarize, type LatencySummary } from './lib/load';
import { machine, peakRssMb } from './lib/machine';
import { writeJson } from './lib/report';
import {
  createBenchClient,
  createUsers,
  ensureKafka,
  issueTokens,
  stopBenchSystem,
  type IssuedToken,
} from './lib/setup';
import { JWT_BEARER } from '../test/fixtures/oauth';

const RESULTS = resolve(__dirname, '..', '.data/bench/revocation.json');
const PROFILES = resolve(__dirname, '..', '.data/bench/profiles');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  seconds: env('BENCH_SECONDS', 15),
  revocations: env('BENCH_REVOCATIONS', 100),
  tokens: env('BENCH_TOKENS', 300),
  concurrency: env('BENCH_CONCURRENCY', 50),
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};
const log = (message: string) => console.log(`[bench] ${message}`);
const TARGET_LOADED_DELETE_P99_MS = 20;

interface RevocationTiming {
  deleteMs: number;
  projectedMs: number;
}

/** Revokes one credential and times both moments: the DELETE's answer and the view's update. */
async function revokeAndTime(
  tenant: TenantClient,
  db: Client,
  credentialId: string,
): Promise<RevocationTiming> {
  const started = performance.now();
  const res = await tenant.management('DELETE', `/device-credentials/${credentialId}`);
  const deleteMs = performance.now() - started;
  if (res.status !== 204) throw new Error(`DELETE answered ${res.status}: ${JSON.stringify(res.body)}`);
  for (;;) {
    const { rows } = await db.query<{ status: string }>(
      'SELECT status FROM device_credentials WHERE id = $1',
      [credentialId],
    );
    if (rows[0]?.status === 'revoked') return { deleteMs, projectedMs: performance.now() - started };
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Revokes `ids` spread over `spanMs` (random moments), concurrently, and collects the timings. */
async function revokeSpread(tenant: TenantClient, db: Client, ids: string[], spanMs: number) {
  const start = performance.now();
  return Promise.all(
    ids.map(async (id) => {
      await new Promise((r) => setTimeout(r, Math.random() * spanMs - (performance.now() - start)));
      return revokeAndTime(tenant, db, id);
    }),
  );
}

const row = (label: string, s: LatencySummary) =>
  `  ${label.padEnd(34)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p99 ${s.p99.toFixed(1).padStart(7)} ms   max ${s.max
    .toFixed(1)
    .padStart(7)} ms   (n=${s.count})`;

async function main(): Promise<void> {
  const kafka = ensureKafka();
  const env = {
    DELEGATION_RATE_LIMIT_PER_MINUTE: '1000000',
    DELEGATION_FAILURE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
    ...(settings.cpuProfile ? profilerEnv(PROFILES) : {}),
  };
  const system = await startSystem({ env });
  const db = new Client({ connectionString: system.db.url });
  await db.connect();
  try {
    const tenant = new TenantClient(system.url);
    const client = await createBenchClient(tenant, 'RS256');
    const users = await createUsers(tenant, 10);
    const idle = Math.ceil(settings.revocations / 2);
    const total = settings.tokens + idle + settings.revocations;
    log(`issuing ${total} refresh tokens through the password grant…`);
    const tokens: IssuedToken[] = await issueTokens(tenant, client, users, total, 4);
    const { rows } = await db.query<{ stream_id: string }>(
      `SELECT stream_id FROM events WHERE type = 'TokenIssued' ORDER BY global_position`,
    );
    const ids = rows.map((r) => r.stream_id);
    const [idleIds, loadedIds] = [ids.slice(0, idle), ids.slice(idle, idle + settings.revocations)];
    // The delegating tokens are never revoked: the load's 200s stay 200s.
    const delegating = tokens.slice(idle + settings.revocations);
    // Let the projector catch up with the issuance before measuring.
    await new Promise((r) => setTimeout(r, 2_000));

    log(`baseline: ${idle} revocations on the idle system, one at a time`);
    const idleTimings: RevocationTiming[] = [];
    for (const id of idleIds) idleTimings.push(await revokeAndTime(tenant, db, id));

    log(
      `loaded: ${settings.revocations} revocations at random moments while ${settings.concurrency} clients delegate for ${settings.seconds} s`,
    );
    const profile = () => settings.cpuProfile && process.kill(system.api.child.pid!, 'SIGUSR2');
    profile(); // start: the loaded phase only
    const [load, loadedTimings] = await Promise.all([
      runLoad({
        url: system.url,
        concurrency: settings.concurrency,
        honourRetryAfter: true,
        warmupMs: 0,
        durationMs: settings.seconds * 1000,
        next: () => ({
          path: '/delegation',
          body: JSON.stringify({
            client_id: client.clientId,
            grant_type: JWT_BEARER,
            refresh_token: delegating[Math.floor(Math.random() * delegating.length)].refreshToken,
          }),
        }),
      }),
      revokeSpread(tenant, db, loadedIds, settings.seconds * 1000 * 0.8),
    ]);
    profile(); // stop: the api writes <pid>-1.cpuprofile

    const summary = {
      idleDelete: summarize(idleTimings.map((t) => t.deleteMs)),
      loadedDelete: summarize(loadedTimings.map((t) => t.deleteMs)),
      idleProjected: summarize(idleTimings.map((t) => t.projectedMs)),
      loadedProjected: summarize(loadedTimings.map((t) => t.projectedMs)),
    };
    const report = {
      machine: machine(),
      settings,
      ...summary,
      deleteRatio: {
        p50: summary.loadedDelete.p50 / summary.idleDelete.p50,
        p99: summary.loadedDelete.p99 / summary.idleDelete.p99,
      },
      projectedRatio: summary.loadedProjected.p50 / summary.idleProjected.p50,
      target: { loadedDeleteP99Ms: TARGET_LOADED_DELETE_P99_MS },
      delegation: {
        throughput: load.throughput,
        latency: load.latency,
        statuses: load.statuses,
        errors: load.errors,
      },
      apiPeakRssMb: peakRssMb(system.api.child.pid),
      projectorPeakRssMb: peakRssMb(system.projector?.child.pid),
    };
    console.log(
      [
        '',
        `Revocation — ${report.machine.cpus} cores, Node ${report.machine.node}`,
        row('DELETE, idle (baseline)', summary.idleDelete),
        row('DELETE, /delegation saturated', summary.loadedDelete),
        `  ratio saturated/idle: p50 ${report.deleteRatio.p50.toFixed(2)}, p99 ${report.deleteRatio.p99.toFixed(2)}`,
        `  ${summary.loadedDelete.p99 <= TARGET_LOADED_DELETE_P99_MS ? 'PASS' : 'MISS'} DELETE p99 while saturated: ${summary.loadedDelete.p99.toFixed(1)} ms (target ≤ ${TARGET_LOADED_DELETE_P99_MS})`,
        row('projection shows it, idle', summary.idleProjected),
        row('projection shows it, under load', summary.loadedProjected),
        `  ratio saturated/idle p50 ${report.projectedRatio.toFixed(2)}`,
        `  delegation load meanwhile: ${load.throughput.toFixed(0)} req/s, p50 ${load.latency.p50.toFixed(1)} ms, p99 ${load.latency.p99.toFixed(1)} ms, statuses ${JSON.stringify(load.statuses)}`,
        `  peak RSS: api ${report.apiPeakRssMb?.toFixed(0)} MB, projector ${report.projectorPeakRssMb?.toFixed(0)} MB`,
        '',
      ].join('\n'),
    );
    writeJson(RESULTS, report);
    log(`results written to ${RESULTS}`);
    // 503s are admission control shedding the excess (issue 15); anything else breaks the run.
    const broken = load.errors > 0 || Object.keys(load.statuses).some((s) => s !== '200' && s !== '503');
    if (broken) {
      console.error(
        '[bench] the delegation load saw answers other than 200/503 or transport errors: the run is not valid',
      );
      process.exitCode = 1;
    }
  } finally {
    await db.end();
    await stopBenchSystem(system, kafka);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
