/**
 * Summarises a V8 `.cpuprofile` (from `BENCH_CPU_PROF=1 npm run bench:delegation`, which runs the api
 * with `--cpu-prof`): where the api's main thread spends its time, by package and by function, so a
 * hot spot can be named with a number rather than guessed.
 *
 *   node -r ts-node/register/transpile-only bench/lib/cpu-profile.ts .data/bench/profiles/<file> [top]
 *
 * Only the main thread is sampled: scrypt and other thread-pool work never appears, and PostgreSQL,
 * Kafka and the kernel's time (fsync) are other processes — time waiting for them shows as (idle).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * The environment that makes an app profile itself on SIGUSR2 (./cpu-profiler.preload.ts), writing to
 * `dir`. Node refuses `--cpu-prof` in NODE_OPTIONS, hence a preload; it is transpiled to plain JS here
 * because preloading ts-node would load `node:repl`, hence `node:domain`, whose async hooks and patched
 * `emit` would slow the very process being profiled.
 */
export function profilerEnv(dir: string): Record<string, string> {
  const source = readFileSync(join(__dirname, 'cpu-profiler.preload.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
  mkdirSync(dir, { recursive: true });
  const preload = join(dir, 'cpu-profiler.preload.js');
  writeFileSync(preload, js);
  return { NODE_OPTIONS: `-r ${preload}`, BENCH_PROFILE_DIR: dir };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by package / area (node_modules package, repo lib, node internals, idle, GC). */
  byArea: [string, number][];
  /** Self time by function. */
  selfByFunction: [string, number][];
  /** Inclusive time (the function or anything it called) by function, each sample counted once. */
  inclusiveByFunction: [string, number][];
}

/** Where a frame's code lives: `jose`, `libs/event-store`, `node:internal`, `(idle)`, … */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  // The build nests libs under dist/apps/<app>/libs/<lib>: the lib is the more telling name.
  const lib = /\/(libs\/[^/]+)\//.exec(url) ?? /\/(apps\/[^/]+)\//.exec(url);
  if (lib) return lib[1];
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

const frameName = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\/apps\/[^/]+\//, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
};

export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i] / 1000));

  const area = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const a = areaOf(node.callFrame.url, node.callFrame.functionName);
    area.set(a, (area.get(a) ?? 0) + ms);
    selfFn.set(frameName(node), (selfFn.get(frameName(node)) ?? 0) + ms);
    // Each function on this node's stack gets the time once, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
      seen.add(name);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byArea: sorted(area),
    selfByFunction: sorted(selfFn),
    inclusiveByFunction: sorted(inclusive),
  };
}

if (require.main === module) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: cpu-profile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top));
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)} %`;
  const table = (title: string, rows: [string, number][]) => {
    console.log(`\n${title}`);
    for (const [name, ms] of rows) console.log(`  ${pct(ms)} ${ms.toFixed(0).padStart(8)} ms  ${name}`);
  };
  console.log(`profile: ${(summary.totalMs / 1000).toFixed(1)} s of wall time`);
  table('self time by area', summary.byArea);
  table('self time by function', summary.selfByFunction);
  table('inclusive time by function', summary.inclusiveByFunction);
}
