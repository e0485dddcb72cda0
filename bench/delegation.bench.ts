/**
 * `npm run bench:delegation`: throughput and latency of POST /delegation for RS256 and ES256 id_tokens,
 * against three servers measured in the same run by the same load generator:
 *  - the durable baseline (lib/durable-baseline-server.ts): node:http + pg, token look-up in a table,
 *    one event row per exchange with the same group commit, jose — the least a durable exchange costs;
 *  - node-oidc-provider 9 (lib/oidc-provider-server.ts): its refresh_token grant, in-memory, no
 *    rotation — the peer;
 *  - the bare baseline (lib/baseline-server.ts): node:http + a Map + node:crypto, nothing durable.
 * Each is run closed-loop (BENCH_CONCURRENCY clients, throughput) and open-loop (a fixed arrival rate,
 * latency from the scheduled send, so queueing counts). The api runs with the default log level
 * (LOG_LEVEL unset: what users run) unless BENCH_LOG_LEVEL says otherwise.
 *
 * A benchmark, not a test: a missed target is printed, not failed. It exits 1 only when the run itself
 * is not trustworthy (non-200 answers, transport errors, or fewer/more IdTokenDelegated events than
 * 200 answers).
 *
 * Environment: BENCH_SECONDS (measured seconds per run, 15), BENCH_WARMUP_SECONDS (3), BENCH_TOKENS
 * (refresh tokens per algorithm, 300), BENCH_USERS (20), BENCH_CONCURRENCY (50), BENCH_OPEN_RATE (400),
 * BENCH_ISSUE_CONCURRENCY (4), BENCH_ALGS (RS256,ES256), BENCH_LOG_LEVEL (unset), BENCH_CPU_PROF=1 (write a V8 CPU profile of
 * the api per closed-loop service run to .data/bench/profiles, RS256 first; summarise with
 * bench/lib/cpu-profile.ts), REDIS_URL (the limits shared in that Redis, ADR 0010: what sharing them costs
 * the hot path; unset, in memory).
 */
import { resolve } from 'node:path';
import { eventTopic } from '@libs/messaging';
import { deleteTopics, startSystem, TenantClient, testKafka, type RunningSystem } from '@libs/testing';
import { startBaseline, startChild, type Baseline } from './lib/baseline';
import type { Alg } from './lib/baseline-server';
import { profilerEnv } from './lib/cpu-profile';
import { cpuPerRequest, cpuSnapshot } from './lib/cpu-usage';
import type { DurableBaselineInit } from './lib/durable-baseline-server';
import { KafkaLag } from './lib/kafka-lag';
import { runLoad, type LoadRequest, type LoadResult } from './lib/load';
import { machine, peakRssMb, rssMb } from './lib/machine';
import { openLoopResult, runOpenLoop } from './lib/open-loop';
import type { PeerInit, PeerReady } from './lib/oidc-provider-server';
import {
  formatReport,
  problemsOf,
  SERVERS,
  TARGETS,
  writeJson,
  type AlgResult,
  type BenchReport,
  type ServerName,
  type ServerRuns,
} from './lib/report';
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
const ALGS = (process.env.BENCH_ALGS ?? 'RS256,ES256').split(',').map((alg) => {
  if (alg !== 'RS256' && alg !== 'ES256') throw new Error('BENCH_ALGS: RS256 and/or ES256, comma-separated');
  return alg as Alg;
});

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
  openRate: numberEnv('BENCH_OPEN_RATE', TARGETS.openLoopRate),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'default (unset)',
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};

const log = (message: string) => console.log(`[bench] ${message}`);
const seconds = (fromMs: number) => `${((performance.now() - fromMs) / 1000).toFixed(1)} s`;

/** The request a server takes for one exchange of `token` (the peer: its own token endpoint, a form). */
type RequestFor = (token: IssuedToken) => LoadRequest;

const delegation =
  (client: BenchClient): RequestFor =>
  (token) => ({
    path: '/delegation',
    body: JSON.stringify({
      client_id: client.clientId,
      grant_type: JWT_BEARER,
      refresh_token: token.refreshToken,
    }),
  });

const refreshGrant: RequestFor = (token) => ({
  path: '/token',
  contentType: 'application/x-www-form-urlencoded',
  body: new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: token.refreshToken,
    client_id: token.clientId,
  }).toString(),
});

/**
 * The closed loop for one server: worker w only ever sends tokens whose index ≡ w (mod concurrency),
 * picked at random among those. Two in-flight requests therefore never carry the same token — as with
 * real devices, each using its own — so the service's optimistic-concurrency retries on one stream are
 * not part of what is measured.
 */
function closedLoop(url: string, tokens: IssuedToken[], requestFor: RequestFor): Promise<LoadResult> {
  const slices = Array.from({ length: settings.concurrency }, (_, w) => {
    const own = tokens.filter((_, i) => i % settings.concurrency === w);
    return own.length ? own : [tokens[w % tokens.length]]; // fewer tokens than workers: share
  });
  return runLoad({
    url,
    concurrency: settings.concurrency,
    warmupMs: settings.warmupSeconds * 1000,
    durationMs: settings.seconds * 1000,
    next: (worker) => requestFor(slices[worker][Math.floor(Math.random() * slices[worker].length)]),
  });
}

/** The open loop: tokens round-robin, skipping one still in flight (again: no two at once). */
async function openLoop(url: string, tokens: IssuedToken[], requestFor: RequestFor): Promise<LoadResult> {
  let cursor = 0;
  const warmupMs = settings.warmupSeconds * 1000;
  const durationMs = settings.seconds * 1000;
  const samples = await runOpenLoop({
    url,
    rate: settings.openRate,
    durationMs: warmupMs + durationMs,
    maxSockets: 512,
    next: (_, busy) => {
      let token = tokens[cursor++ % tokens.length];
      for (let tries = 0; busy.has(token.refreshToken) && tries < tokens.length; tries++)
        token = tokens[cursor++ % tokens.length];
      return { ...requestFor(token), key: token.refreshToken };
    },
  });
  return openLoopResult(samples, warmupMs, durationMs);
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
  const children: Baseline[] = [];
  let db: BenchDatabase | undefined;
  let lag: KafkaLag | undefined;
  try {
    // ── setup ────────────────────────────────────────────────────────────────────────────────────
    const setupStarted = performance.now();
    system = await startSystem({
      env: {
        DELEGATION_RATE_LIMIT_PER_MINUTE: '1000000',
        ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
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
    const issuer = `${system.url}/`;
    const clientInit = clients.map(({ clientId, alg, lifetimeSeconds }) => ({
      clientId,
      alg,
      lifetimeSeconds,
    }));
    const bare = await startBaseline({ issuer, clients: clientInit, tokens: allTokens });
    children.push(bare);
    const durable = await startChild<DurableBaselineInit, { port: number }>('durable-baseline-server.ts', {
      issuer,
      clients: clientInit,
      tokens: allTokens,
      databaseUrl: system.db.url,
    });
    children.push(durable);
    const peer = await startChild<PeerInit, PeerReady>('oidc-provider-server.ts', {
      issuer,
      clients: clientInit,
      tokensPerClient: settings.tokensPerAlg,
      userIds: users.map((u) => u.userId),
    });
    children.push(peer);
    lag = await KafkaLag.start(testKafka('bench-lag'), eventTopic(system.topicPrefix));
    log(`setup done in ${seconds(setupStarted)} (${users.length} users, ${allTokens.length} tokens)`);

    // ── runs: per algorithm, each server closed loop then open loop ───────────────────────────────
    const results: AlgResult[] = [];
    const pids = {
      api: system.api.child.pid,
      projector: system.projector?.child.pid,
      durable: durable.pid,
      peer: peer.pid,
      bare: bare.pid,
      'load generator': process.pid,
    };
    const urls: Record<ServerName, string> = {
      service: system.url,
      durable: durable.url,
      peer: peer.url,
      bare: bare.url,
    };
    for (const client of clients) {
      const algTokens = tokens.get(client.alg)!;
      const peerTokens = peer.ready.tokens.filter((t) => t.clientId === client.clientId);
      const servers = {} as Record<ServerName, ServerRuns>;
      let catchUpMs = 0;
      let dbWork: Record<string, number> = {};
      const windows = { closed: [0, 0], open: [0, 0] };
      for (const server of SERVERS) {
        const serverTokens = server === 'peer' ? peerTokens : algTokens;
        const requestFor = server === 'peer' ? refreshGrant : delegation(client);
        const runs = {} as Pick<ServerRuns, 'closed' | 'open'>;
        const cpu = {} as ServerRuns['cpu'];
        for (const loop of ['closed', 'open'] as const) {
          const statsBefore = server === 'service' && loop === 'closed' ? await db.stats() : undefined;
          const cpuBefore = cpuSnapshot(pids);
          const profiling = settings.cpuProfile && server === 'service' && loop === 'closed';
          log(`${client.alg}: ${server}, ${loop} loop, ${settings.warmupSeconds}+${settings.seconds} s …`);
          if (profiling) process.kill(system.api.child.pid!, 'SIGUSR2'); // start profiling
          const from = Date.now() + settings.warmupSeconds * 1000;
          runs[loop] =
            loop === 'closed'
              ? await closedLoop(urls[server], serverTokens, requestFor)
              : await openLoop(urls[server], serverTokens, requestFor);
          if (profiling) process.kill(system.api.child.pid!, 'SIGUSR2'); // stop, write the profile
          if (server === 'service') {
            windows[loop] = [from, from + settings.seconds * 1000];
            // The projector's and relay's catch-up is part of what an exchange costs: inside the CPU.
            const caughtUp = await db.waitForQuiet(allTokens.length);
            if (loop === 'closed') catchUpMs = caughtUp;
          }
          cpu[loop] = cpuPerRequest(cpuBefore, cpuSnapshot(pids), answered(runs[loop]));
          if (statsBefore) {
            await db.waitForStats();
            dbWork = perRequest(statsBefore, await db.stats(), runs.closed.statuses[200] ?? 0);
          }
        }
        servers[server] = { ...runs, cpu };
      }
      results.push({
        alg: client.alg,
        servers,
        catchUpMs,
        perRequest: dbWork,
        kafkaLag: {
          closed: lag.between(windows.closed[0], windows.closed[1]),
          open: lag.between(windows.open[0], windows.open[1]),
        },
      });
    }

    // ── verification and report ──────────────────────────────────────────────────────────────────
    const ok200 = results.reduce(
      (n, r) =>
        n + (r.servers.service.closed.statuses[200] ?? 0) + (r.servers.service.open.statuses[200] ?? 0),
      0,
    );
    const report: BenchReport = {
      at: new Date().toISOString(),
      settings,
      machine: machine(),
      targets: TARGETS,
      results,
      recorded: { idTokenDelegatedEvents: await db.delegatedEvents(), ok200 },
      apiPeakRssMb: peakRssMb(system.api.child.pid),
      apiRssAfterMb: rssMb(system.api.child.pid),
      problems: [],
    };
    report.problems = problemsOf(report);
    console.log(`\n${formatReport(report)}`);
    writeJson(RESULTS, report);
    log(`results written to ${RESULTS}; total ${seconds(started)}`);
    return report.problems.length ? 1 : 0;
  } finally {
    await lag?.stop();
    for (const child of children) await child.stop();
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
