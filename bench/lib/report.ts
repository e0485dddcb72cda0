import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoadResult } from './load';
import type { Machine } from './machine';

/** The targets for the service under 50 concurrent clients. */
export const TARGETS = { minRatio: 0.5, maxP99Ms: 25 };

export interface AlgResult {
  alg: string;
  service: LoadResult;
  baseline: LoadResult;
  /** service / baseline throughput. */
  ratio: number;
  /** How long the projector and relay needed after the run to apply everything it recorded. */
  catchUpMs: number;
  /** Database work per 200 of the service run (deltas of the statistics counters). */
  perRequest: Record<string, number>;
  /** CPU ms per answered request, by process group, during each side's run (warm-up included). */
  cpuMsPerRequest: { service: Record<string, number>; baseline: Record<string, number> };
}

/** Everything a run found; written as JSON to .data/bench/delegation.json. */
export interface BenchReport {
  at: string;
  settings: { seconds: number; warmupSeconds: number; tokensPerAlg: number; concurrency: number };
  machine: Machine;
  targets: typeof TARGETS;
  results: AlgResult[];
  /** The durability check: one IdTokenDelegated event per 200, warm-ups included. */
  recorded: { idTokenDelegatedEvents: number; ok200: number };
  apiPeakRssMb?: number;
  /** Why the run cannot be trusted (non-200s, transport errors, a count mismatch); empty when sound. */
  problems: string[];
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
const rps = (v: number) => `${v.toFixed(0)} req/s`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** One table per algorithm: throughput and latency of both servers, and the verdict against TARGETS. */
export function formatAlg(result: AlgResult): string {
  const row = (name: string, r: LoadResult) =>
    [
      name.padEnd(10),
      rps(r.throughput).padStart(12),
      ms(r.latency.p50).padStart(10),
      ms(r.latency.p90).padStart(10),
      ms(r.latency.p99).padStart(10),
      ms(r.latency.max).padStart(10),
      String(r.measured).padStart(9),
    ].join(' ');
  const header = ['', 'throughput', 'p50', 'p90', 'p99', 'max', 'requests']
    .map((h, i) => (i === 0 ? h.padEnd(10) : h.padStart(i === 1 ? 12 : i === 6 ? 9 : 10)))
    .join(' ');
  const p99 = result.service.latency.p99;
  const perRequest = Object.entries(result.perRequest)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  const cpu = (usage: Record<string, number>, groups: string[]) => {
    const known = groups.reduce((sum, g) => sum + (usage[g] ?? 0), 0);
    const parts = groups.map((g) => `${g} ${(usage[g] ?? 0).toFixed(2)}`);
    return `${parts.join(', ')}, other ${(usage.machine - known).toFixed(2)} = machine ${usage.machine.toFixed(2)}`;
  };
  return [
    `── ${result.alg} ${'─'.repeat(70)}`,
    header,
    row('service', result.service),
    row('baseline', result.baseline),
    `ratio (service/baseline throughput): ${result.ratio.toFixed(3)}  ` +
      `[target ≥ ${TARGETS.minRatio}: ${verdict(result.ratio >= TARGETS.minRatio)}]`,
    `service p99: ${ms(p99)}  [target ≤ ${TARGETS.maxP99Ms} ms: ${verdict(p99 <= TARGETS.maxP99Ms)}]`,
    `projector/relay caught up ${(result.catchUpMs / 1000).toFixed(1)} s after the run`,
    `database work per exchange: ${perRequest}`,
    `CPU ms per exchange, service:  ${cpu(result.cpuMsPerRequest.service, ['api', 'projector', 'postgres', 'kafka', 'load generator'])}`,
    `CPU ms per exchange, baseline: ${cpu(result.cpuMsPerRequest.baseline, ['baseline', 'load generator'])}`,
  ].join('\n');
}

/** What makes a run untrustworthy: any non-200 or transport error, or events ≠ 200s. */
export function problemsOf(report: BenchReport): string[] {
  const problems = report.results.flatMap((r) =>
    (['service', 'baseline'] as const).flatMap((side) => {
      const run = r[side];
      const non200 = Object.keys(run.statuses).some((status) => status !== '200');
      return non200 || run.errors
        ? [
            `${r.alg} ${side}: ${JSON.stringify(run.statuses)}, ${run.errors} errors; ${run.failures.join(' | ')}`,
          ]
        : [];
    }),
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
  // Little's law for a closed loop: mean latency = clients / throughput, so the p99 target is also a
  // throughput floor — worth seeing before reading a p99 miss as a latency problem.
  const floor = settings.concurrency / (TARGETS.maxP99Ms / 1000);
  return [
    `POST /delegation — ${settings.concurrency} concurrent keep-alive clients, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per run, ` +
      `${settings.tokensPerAlg} tokens per algorithm`,
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}, ` +
      `${machine.platform} (load generator, api, projector, PostgreSQL and Kafka share these cores)`,
    ...report.results.map((r) => `\n${formatAlg(r)}\n`),
    `durably recorded: ${recorded.idTokenDelegatedEvents} IdTokenDelegated events for ${recorded.ok200} ` +
      `200 responses (warm-ups included) — ${recorded.idTokenDelegatedEvents === recorded.ok200 ? 'OK' : 'MISMATCH'}`,
    `api peak RSS (VmHWM): ${report.apiPeakRssMb?.toFixed(1) ?? 'unknown'} MiB`,
    `targets: ratio ≥ ${TARGETS.minRatio}, p99 ≤ ${TARGETS.maxP99Ms} ms (a miss does not fail the bench)`,
    `note: ${settings.concurrency} closed-loop clients ⇒ mean latency = ${settings.concurrency} / throughput, ` +
      `so p99 ≤ ${TARGETS.maxP99Ms} ms needs more than ${floor.toFixed(0)} req/s`,
    ...report.problems.map((p) => `BROKEN: ${p}`),
  ].join('\n');
}

/** Writes `value` as JSON, creating the folder (e.g. .data/bench, git-ignored). */
export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
