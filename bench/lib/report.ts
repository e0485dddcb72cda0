import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LatencySummary, LoadResult } from './load';
import type { Machine } from './machine';

/** The targets (issue 12). A miss is printed, never failed. */
export const TARGETS = {
  /** service / durable baseline closed-loop throughput, each algorithm. */
  minRatioDurable: 0.6,
  /** service / node-oidc-provider closed-loop throughput, each algorithm. */
  minRatioPeer: 1.0,
  /** The service in the open loop at `openLoopRate`. */
  openLoopRate: 400,
  maxOpenP50Ms: 5,
  maxOpenP99Ms: 25,
  /** api + PostgreSQL + Kafka + projector CPU per ES256 exchange (closed loop). */
  maxEs256MachineCpuMs: 0.7,
  /** occurred_at (commit) → appended on Kafka, p99. */
  maxKafkaLagP99Ms: 50,
  /** api resident set after the runs. */
  maxApiRssMb: 300,
};

/** The servers every algorithm is measured on, in the order they are printed. */
export const SERVERS = ['service', 'durable', 'peer', 'bare'] as const;
export type ServerName = (typeof SERVERS)[number];

export const SERVER_LABELS: Record<ServerName, string> = {
  service: 'service',
  durable: 'durable baseline',
  peer: 'node-oidc-provider',
  bare: 'bare baseline',
};

/** The processes each server's CPU is counted for (besides the machine total). */
export const CPU_GROUPS: Record<ServerName, string[]> = {
  service: ['api', 'projector', 'postgres', 'kafka', 'load generator'],
  durable: ['durable', 'postgres', 'load generator'],
  peer: ['peer', 'load generator'],
  bare: ['bare', 'load generator'],
};

export interface ServerRuns {
  closed: LoadResult;
  open: LoadResult;
  /** CPU ms per answered request by process group, during each run (warm-up included). */
  cpu: { closed: Record<string, number>; open: Record<string, number> };
}

export interface AlgResult {
  alg: string;
  servers: Record<ServerName, ServerRuns>;
  /** How long the projector and relay needed after the service's closed-loop run to apply everything. */
  catchUpMs: number;
  /** Database work per 200 of the service's closed-loop run (deltas of the statistics counters). */
  perRequest: Record<string, number>;
  /** occurred_at → Kafka append time of the events of the service's runs. */
  kafkaLag: { closed: LatencySummary; open: LatencySummary };
}

/** Everything a run found; written as JSON to .data/bench/delegation.json. */
export interface BenchReport {
  at: string;
  settings: {
    seconds: number;
    warmupSeconds: number;
    tokensPerAlg: number;
    concurrency: number;
    logLevel: string;
  };
  machine: Machine;
  targets: typeof TARGETS;
  results: AlgResult[];
  /** The durability check: one IdTokenDelegated event per 200 of the service, warm-ups included. */
  recorded: { idTokenDelegatedEvents: number; ok200: number };
  apiPeakRssMb?: number;
  apiRssAfterMb?: number;
  /** Why the run cannot be trusted (non-200s, transport errors, a count mismatch); empty when sound. */
  problems: string[];
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** Machine CPU of the service per exchange: its own processes and the servers it needs. */
export function serviceCpuMs(cpu: Record<string, number>): number {
  return ['api', 'postgres', 'kafka', 'projector'].reduce((sum, g) => sum + (cpu[g] ?? 0), 0);
}

export function ratios(result: AlgResult): Record<Exclude<ServerName, 'service'>, number> {
  const service = result.servers.service.closed.throughput;
  return {
    durable: service / result.servers.durable.closed.throughput,
    peer: service / result.servers.peer.closed.throughput,
    bare: service / result.servers.bare.closed.throughput,
  };
}

/** One table per algorithm: every server in both loops, CPU by process, the ratios and verdicts. */
export function formatAlg(result: AlgResult, concurrency: number): string {
  const header = [
    'server'.padEnd(20),
    'closed req/s'.padStart(12),
    'p50'.padStart(7),
    'p99'.padStart(7),
    `open ${TARGETS.openLoopRate}/s p50`.padStart(17),
    'p99'.padStart(7),
    'max'.padStart(7),
  ].join(' ');
  const row = (name: ServerName) => {
    const { closed, open } = result.servers[name];
    return [
      SERVER_LABELS[name].padEnd(20),
      closed.throughput.toFixed(0).padStart(12),
      ms(closed.latency.p50).padStart(7),
      ms(closed.latency.p99).padStart(7),
      ms(open.latency.p50).padStart(17),
      ms(open.latency.p99).padStart(7),
      ms(open.latency.max).padStart(7),
    ].join(' ');
  };
  const cpu = (name: ServerName, loop: 'closed' | 'open') => {
    const usage = result.servers[name].cpu[loop];
    const groups = CPU_GROUPS[name];
    const known = groups.reduce((sum, g) => sum + (usage[g] ?? 0), 0);
    const parts = groups.map((g) => `${g} ${(usage[g] ?? 0).toFixed(2)}`);
    return `${parts.join(', ')}, other ${(usage.machine - known).toFixed(2)} = machine ${usage.machine.toFixed(2)}`;
  };
  const r = ratios(result);
  const open = result.servers.service.open.latency;
  const serviceCpu = serviceCpuMs(result.servers.service.cpu.closed);
  const lag = result.kafkaLag;
  const perRequest = Object.entries(result.perRequest)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  return [
    `── ${result.alg} (closed loop: ${concurrency} clients; latency in ms) ${'─'.repeat(40)}`,
    header,
    ...SERVERS.map(row),
    `service / durable baseline ${r.durable.toFixed(2)} [≥ ${TARGETS.minRatioDurable}: ${verdict(r.durable >= TARGETS.minRatioDurable)}]` +
      `, / node-oidc-provider ${r.peer.toFixed(2)} [≥ ${TARGETS.minRatioPeer}: ${verdict(r.peer >= TARGETS.minRatioPeer)}]` +
      `, / bare baseline ${r.bare.toFixed(2)}`,
    `service open loop ${TARGETS.openLoopRate}/s: p50 ${ms(open.p50)} [≤ ${TARGETS.maxOpenP50Ms}: ${verdict(open.p50 <= TARGETS.maxOpenP50Ms)}]` +
      `, p99 ${ms(open.p99)} [≤ ${TARGETS.maxOpenP99Ms}: ${verdict(open.p99 <= TARGETS.maxOpenP99Ms)}]`,
    `occurred_at → on Kafka: closed loop p50 ${ms(lag.closed.p50)} / p99 ${ms(lag.closed.p99)} ms ` +
      `[≤ ${TARGETS.maxKafkaLagP99Ms}: ${verdict(lag.closed.p99 <= TARGETS.maxKafkaLagP99Ms)}], ` +
      `open loop p50 ${ms(lag.open.p50)} / p99 ${ms(lag.open.p99)} ms ` +
      `[${verdict(lag.open.p99 <= TARGETS.maxKafkaLagP99Ms)}] (n = ${lag.closed.count} + ${lag.open.count})`,
    `service machine CPU per exchange (api + postgres + kafka + projector): ${serviceCpu.toFixed(2)} ms` +
      (result.alg === 'ES256'
        ? ` [≤ ${TARGETS.maxEs256MachineCpuMs}: ${verdict(serviceCpu <= TARGETS.maxEs256MachineCpuMs)}]`
        : ''),
    `projector/relay caught up ${(result.catchUpMs / 1000).toFixed(1)} s after the closed-loop run`,
    `database work per exchange: ${perRequest}`,
    'CPU ms per exchange by process (closed loop | open loop):',
    ...SERVERS.map(
      (name) => `  ${SERVER_LABELS[name].padEnd(19)} ${cpu(name, 'closed')}  |  ${cpu(name, 'open')}`,
    ),
  ].join('\n');
}

/** What makes a run untrustworthy: any non-200 or transport error, or events ≠ 200s. */
export function problemsOf(report: BenchReport): string[] {
  const problems = report.results.flatMap((r) =>
    SERVERS.flatMap((server) =>
      (['closed', 'open'] as const).flatMap((loop) => {
        const run = r.servers[server][loop];
        const non200 = Object.keys(run.statuses).some((status) => status !== '200');
        return non200 || run.errors
          ? [
              `${r.alg} ${server} ${loop} loop: ${JSON.stringify(run.statuses)}, ${run.errors} errors; ${run.failures.join(' | ')}`,
            ]
          : [];
      }),
    ),
  );
  const { idTokenDelegatedEvents, ok200 } = report.recorded;
  if (idTokenDelegatedEvents !== ok200) {
    problems.push(`IdTokenDelegated events ${idTokenDelegatedEvents} ≠ 200 responses ${ok200}`);
  }
  return problems;
}

/** The whole printed report: header, one table per algorithm, the durability check, notes. */
export function formatReport(report: BenchReport): string {
  const { settings, machine, recorded } = report;
  const rss = report.apiRssAfterMb;
  return [
    `POST /delegation — closed loop: ${settings.concurrency} keep-alive clients; open loop: ` +
      `${TARGETS.openLoopRate} req/s, latency from the scheduled send; ${settings.warmupSeconds} s warm-up + ` +
      `${settings.seconds} s measured per run, ${settings.tokensPerAlg} tokens per algorithm, ` +
      `api LOG_LEVEL ${settings.logLevel}`,
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}, ` +
      `${machine.platform} (load generator, servers, PostgreSQL and Kafka share these cores)`,
    ...report.results.map((r) => `\n${formatAlg(r, settings.concurrency)}\n`),
    `durably recorded: ${recorded.idTokenDelegatedEvents} IdTokenDelegated events for ${recorded.ok200} ` +
      `200 responses of the service (warm-ups included) — ${recorded.idTokenDelegatedEvents === recorded.ok200 ? 'OK' : 'MISMATCH'}`,
    `api RSS after the runs: ${rss?.toFixed(1) ?? 'unknown'} MiB [≤ ${TARGETS.maxApiRssMb}: ` +
      `${verdict(rss !== undefined && rss <= TARGETS.maxApiRssMb)}], peak (VmHWM) ${report.apiPeakRssMb?.toFixed(1) ?? 'unknown'} MiB`,
    'targets are printed, not failed; the bench exits 1 only when a run is broken',
    ...report.problems.map((p) => `BROKEN: ${p}`),
  ].join('\n');
}

/** Writes `value` as JSON, creating the folder (e.g. .data/bench, git-ignored). */
export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
