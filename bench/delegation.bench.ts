/**
 * `npm run bench:delegation`: throughput and latency of POST /delegation under 50 concurrent
 * keep-alive clients, for RS256 and ES256 id_tokens, against a baseline measured in the same run by the
 * same load generator — a bare node:http server that does only the irreducible work (parse, keyed-hash
 * look-up, sign). The ratio service/baseline says what the service's durability and framework cost.
 *
 * A benchmark, not a test: a missed target is printed, not failed. It exits 1 only when the run itself
 * is not trustworthy (non-200 answers, transport errors, or fewer/more IdTokenDelegated events than
 * 200 answers).
 *
 * Environment: BENCH_SECONDS (measured seconds per run, 15), BENCH_WARMUP_SECONDS (3), BENCH_TOKENS
 * (refresh tokens per algorithm, 300), BENCH_USERS (20), BENCH_CONCURRENCY (50),
 * BENCH_ISSUE_CONCURRENCY (4), BENCH_CPU_PROF=1 (write a V8 CPU profile of the api per service run
 * to .data/bench/profiles, RS256 first; summarise with bench/lib/cpu-profile.ts), REDIS_URL (the
 * limits shared in that Redis, ADR 0010: what sharing them costs the hot path; unset, in memory).
 */
import { resolve } from 'node:path';
import { eventTopic } from '@libs/messaging';
import { deleteTopics, startSystem, TenantClient, testKafka, type RunningSystem } from '@libs/testing';
import { startBaseline, type Baseline } from './lib/baseline';
import type { Alg } from './lib/baseline-server';
import { profilerEnv } from './lib/cpu-profile';
import { cpuPerRequest, cpuSnapshot } from './lib/cpu-usage';
import { runLoad, type LoadResult } from './lib/load';
import { machine, peakRssMb } from './lib/machine';
import { formatReport, problemsOf, TARGETS, writeJson, type AlgResult, type BenchReport } from './lib/report';
import {
  BenchDatabase,
  createBenchClient,
  createUsers,
  ensureKafka,
  issueTokens,
  type BenchClient,
  type DatabaseStats,
  type IssuedToken,
} from './lib/setup';
import { JWT_BEARER } from '../test/fixtures/oauth';

const ROOT = resolve(__dirname, '..');
const RESULTS = resolve(ROOT, '.data/bench/delegation.json');
const PROFILES = resolve(ROOT, '.data/bench/profiles');
const ALGS: Alg[] = ['RS256', 'ES256'];

const numberEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const settings = {
  seconds: numberEnv('BENCH_SECONDS', 15),
  warmupSeconds: numberEnv('BENCH_WARMUP_SECONDS', 3),
  tokensPerAlg: numberEnv('BENCH_TOKENS', 300),
  users: numberEnv('BENCH_USERS', 20),
  concurrency: numberEnv('BENCH_CONCURRENCY', 50),
  issueConcurrency: numberEnv('BENCH_ISSUE_CONCURRENCY', 4),
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};

const log = (message: string) => console.log(`[bench] ${message}`);
const seconds = (fromMs: number) => `${((performance.now() - fromMs) / 1000).toFixed(1)} s`;

/**
 * The load for one server: worker w only ever sends tokens whose index ≡ w (mod concurrency), picked at
 * random among those. Two in-flight requests therefore never carry the same token — as with real
 * devices, each using its own — so the service's optimistic-concurrency retries on one stream are not
 * part of what is measured. (With fewer tokens than workers they are shared, and the service then
 * answers some exchanges 500 after five conflicting appends: the bench reports the run as broken.)
 */
function load(url: string, client: BenchClient, tokens: IssuedToken[]): Promise<LoadResult> {
  const slices = Array.from({ length: settings.concurrency }, (_, w) => {
    const own = tokens.filter((_, i) => i % settings.concurrency === w);
    return own.length ? own : [tokens[w % tokens.length]]; // fewer tokens than workers: share
  });
  return runLoad({
    url,
    concurrency: settings.concurrency,
    warmupMs: settings.warmupSeconds * 1000,
    durationMs: settings.seconds * 1000,
    next: (worker) => {
      const slice = slices[worker];
      const token = slice[Math.floor(Math.random() * slice.length)];
      return {
        path: '/delegation',
        body: JSON.stringify({
          client_id: client.clientId,
          grant_type: JWT_BEARER,
          refresh_token: token.refreshToken,
        }),
      };
    },
  });
}

/** Every answer of a run, warm-up included (what the CPU accounting divides by). */
const answered = (run: LoadResult) => Object.values(run.statuses).reduce((a, b) => a + b, 0);

/** Database work per 200 between two statistics snapshots. */
function perRequest(before: DatabaseStats, after: DatabaseStats, ok: number) {
  const per = (key: keyof DatabaseStats) => (after[key] - before[key]) / ok;
  return {
    transactions: per('transactions'),
    'WAL syncs (server-wide)': per('walSyncs'),
    'WAL bytes': per('walBytes'),
    'events inserted': per('eventsInserted'),
    'outbox row ops': per('outboxRowOps'),
    'view updates': per('viewUpdates'),
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  const kafka = ensureKafka();
  let system: RunningSystem | undefined;
  let baseline: Baseline | undefined;
  let db: BenchDatabase | undefined;
  try {
    // ── setup ────────────────────────────────────────────────────────────────────────────────────
    const setupStarted = performance.now();
    system = await startSystem({
      env: {
        DELEGATION_RATE_LIMIT_PER_MINUTE: '1000000',
        LOG_LEVEL: 'warn',
        ...(process.env.REDIS_URL
          ? { REDIS_URL: process.env.REDIS_URL, LIMITS_KEY_PREFIX: `bench-${Date.now().toString(36)}:` }
          : {}),
        ...(settings.cpuProfile ? profilerEnv(PROFILES) : {}),
      },
    });
    const tenant = new TenantClient(system.url);
    db = await BenchDatabase.connect(system.db.url);
    log(`system up at ${system.url} (database ${system.db.name}) in ${seconds(setupStarted)}`);

    const clients = await Promise.all(ALGS.map((alg) => createBenchClient(tenant, alg)));
    const users = await createUsers(tenant, settings.users);
    const tokens = new Map<Alg, IssuedToken[]>();
    for (const client of clients) {
      const issueStarted = performance.now();
      tokens.set(
        client.alg,
        await issueTokens(tenant, client, users, settings.tokensPerAlg, settings.issueConcurrency),
      );
      log(`${settings.tokensPerAlg} refresh tokens for ${client.alg} in ${seconds(issueStarted)}`);
    }
    const allTokens = [...tokens.values()].flat();
    await db.waitForQuiet(allTokens.length);
    await db.waitForStats();
    baseline = await startBaseline({
      issuer: `${system.url}/`,
      clients: clients.map(({ clientId, alg, lifetimeSeconds }) => ({ clientId, alg, lifetimeSeconds })),
      tokens: allTokens,
    });
    log(`setup done in ${seconds(setupStarted)} (${users.length} users, ${allTokens.length} tokens)`);

    // ── runs: service, then baseline, per algorithm ──────────────────────────────────────────────
    const results: AlgResult[] = [];
    const pids = {
      api: system.api.child.pid,
      projector: system.projector?.child.pid,
      baseline: baseline.pid,
      'load generator': process.pid,
    };
    for (const client of clients) {
      const algTokens = tokens.get(client.alg)!;
      const before = await db.stats();
      const cpuBefore = cpuSnapshot(pids);
      log(`${client.alg}: service, ${settings.warmupSeconds}+${settings.seconds} s …`);
      if (settings.cpuProfile) process.kill(system.api.child.pid!, 'SIGUSR2'); // start profiling
      const service = await load(system.url, client, algTokens);
      if (settings.cpuProfile) process.kill(system.api.child.pid!, 'SIGUSR2'); // stop, write the profile
      // Let the projector and relay finish this run's events before the next run needs the CPU; their
      // catch-up is part of what an exchange costs, so it is inside the CPU accounting.
      const catchUpMs = await db.waitForQuiet(allTokens.length);
      const serviceCpu = cpuPerRequest(cpuBefore, cpuSnapshot(pids), answered(service));
      await db.waitForStats();
      const after = await db.stats();

      log(`${client.alg}: baseline, ${settings.warmupSeconds}+${settings.seconds} s …`);
      const baselineCpuBefore = cpuSnapshot(pids);
      const base = await load(baseline.url, client, algTokens);
      const baselineCpu = cpuPerRequest(baselineCpuBefore, cpuSnapshot(pids), answered(base));
      results.push({
        alg: client.alg,
        service,
        baseline: base,
        ratio: service.throughput / base.throughput,
        catchUpMs,
        perRequest: perRequest(before, after, service.statuses[200] ?? 0),
        cpuMsPerRequest: { service: serviceCpu, baseline: baselineCpu },
      });
    }

    // ── verification and report ──────────────────────────────────────────────────────────────────
    const ok200 = results.reduce((n, r) => n + (r.service.statuses[200] ?? 0), 0);
    const report: BenchReport = {
      at: new Date().toISOString(),
      settings,
      machine: machine(),
      targets: TARGETS,
      results,
      recorded: { idTokenDelegatedEvents: await db.delegatedEvents(), ok200 },
      apiPeakRssMb: peakRssMb(system.api.child.pid),
      problems: [],
    };
    report.problems = problemsOf(report);
    console.log(`\n${formatReport(report)}`);
    writeJson(RESULTS, report);
    log(`results written to ${RESULTS}; total ${seconds(started)}`);
    return report.problems.length ? 1 : 0;
  } finally {
    await baseline?.stop();
    await db?.close();
    if (system) {
      await system.stop();
      await deleteTopics(testKafka('bench'), [eventTopic(system.topicPrefix)]);
    }
    kafka.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
