/**
 * `npm run bench:replay [-- --events N --window N --partitions N]`: how fast `npm run audit -- replay`
 * rebuilds the device-credential view from the event topic, against a baseline measured in the same
 * run — a bare kafkajs consumer that reads the same topic and does nothing — and how much memory it
 * needs.
 *
 * 1. Generates N (default 1,000,000) valid, hash-chained envelopes on a fresh topic through the
 *    project's producer: ~6.3 events per credential (TokenIssued, 1–9 IdTokenDelegated, 30 %
 *    TokenRevoked), `--window` (5,000) credentials live at a time so their events interleave; a larger
 *    window spreads each credential over more of the log (fewer of its events share a write).
 * 2. Baseline: the bare read (in this process), same fetch size and partition concurrency.
 * 3. The replay command as a child process: the compiled CLI (`nest build audit` first; `npm run audit`
 *    runs the same code through ts-node, which costs ~100 MB more) into a fresh schema; its own figures
 *    (events/s, CPU, write latency, peak RSS by getrusage) plus this process's samples of the child's
 *    VmHWM and of PostgreSQL's and Kafka's CPU.
 * 4. Checks the replayed view against what was generated (credentials, delegations, revocations),
 *    prints the table, writes .data/bench/replay.json, drops the topic and the database.
 *
 * A benchmark, not a test: a missed target is printed, not failed; it exits 1 only when the run is
 * broken (the child failed, or the replayed view does not match the generated log).
 */
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EVENT_TOPIC_CONFIG, ensureTopics, eventTopic, KafkaProducer } from '@libs/messaging';
import { createTestDatabase, deleteTopics, testBrokers, testKafka, uniqueName } from '@libs/testing';
import { Client } from 'pg';
import { bareRead, type BareReadResult } from './lib/bare-read';
import { cpuSnapshot, type CpuSnapshot } from './lib/cpu-usage';
import { machine, peakRssMb } from './lib/machine';
import { generateLog, type GeneratedLog } from './lib/replay-events';
import { writeJson } from './lib/report';
import { ensureKafka } from './lib/setup';

const ROOT = resolve(__dirname, '..');
const RESULTS = resolve(ROOT, '.data/bench/replay.json');
const TARGETS = { minEventsPerSecond: 50_000, minRatio: 0.3, maxPeakRssMb: 300 };
// The replay's fetch size (TopicSnapshotReader's default), given to the baseline too.
const FETCH = { maxBytesPerPartition: 1 << 20 };
// The compiled CLI, as deployed (`npm run audit` runs it through ts-node, which adds ~100 MB of RSS).
const AUDIT_MAIN = 'dist/apps/audit/apps/audit/src/main.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    window: { type: 'string', default: '5000' },
    partitions: { type: 'string', default: '3' },
  },
});
const positive = (name: string, raw: string) => {
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const settings = {
  events: positive('events', args.events),
  window: positive('window', args.window),
  partitions: positive('partitions', args.partitions),
};

const log = (message: string) => console.log(`[bench] ${message}`);
const count = (n: number) => Math.round(n).toLocaleString('en-US');

interface ReplayRun {
  summary: {
    messages: number;
    events: number;
    credentials: number;
    seconds: number;
    eventsPerSecond: number;
    rowsWritten: number;
    writes: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
    cpuSeconds: number;
    peakRssMb: number;
    malformed: { count: number };
  };
  /** CPU ms per event of PostgreSQL and Kafka during the child's run (server-wide: others' work counts). */
  serverCpuMsPerEvent: { postgres: number; kafka: number; machine: number };
  wallSeconds: number;
  /** The child's VmHWM as last sampled before it exited. */
  sampledPeakRssMb?: number;
}

/** Runs the audit CLI's replay in a child process, sampling its peak RSS while it runs. */
function runReplayChild(env: Record<string, string>, schema: string): Promise<ReplayRun> {
  const started = performance.now();
  const before = cpuSnapshot({});
  const child = spawn(process.execPath, [AUDIT_MAIN, 'replay', '--into', schema, '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let sampled: number | undefined;
  // Sampled while the child runs: its database connections end with it, taking their CPU counters along.
  const latest = cpuSnapshot({});
  const sampler = setInterval(() => {
    sampled = peakRssMb(child.pid) ?? sampled;
    const now = cpuSnapshot({});
    for (const [group, processes] of Object.entries(now.groups))
      for (const [pid, ms] of processes) latest.groups[group]?.set(pid, ms);
    latest.machineMs = now.machineMs;
  }, 250);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`audit replay exited ${code}: ${stdout}`));
      const summary = JSON.parse(stdout) as ReplayRun['summary'];
      resolvePromise({
        summary,
        wallSeconds: (performance.now() - started) / 1000,
        sampledPeakRssMb: sampled,
        serverCpuMsPerEvent: serverCpu(before, latest, summary.messages),
      });
    });
  });
}

function serverCpu(before: CpuSnapshot, after: CpuSnapshot, events: number) {
  const group = (name: string) => {
    let ms = 0;
    for (const [pid, now] of after.groups[name]) {
      const then = before.groups[name]?.get(pid) ?? 0;
      ms += now >= then ? now - then : now; // lower than before: the pid was reused
    }
    return ms / events;
  };
  return {
    postgres: group('postgres'),
    kafka: group('kafka'),
    machine: (after.machineMs - before.machineMs) / events,
  };
}

/** The replayed view against the generated log: every credential, delegation and revocation. */
async function checkView(url: string, schema: string, generated: GeneratedLog): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ credentials: string; delegations: string; revoked: string }>(
    `SELECT count(*) AS credentials, coalesce(sum(delegation_count), 0) AS delegations,
            count(*) FILTER (WHERE status = 'revoked') AS revoked
     FROM "${schema}".device_credentials`,
  );
  await client.end();
  const found = rows[0];
  const problems: string[] = [];
  const expect = (what: string, actual: string, expected: number) => {
    if (Number(actual) !== expected) problems.push(`replayed ${what}: ${actual}, generated ${expected}`);
  };
  expect('credentials', found.credentials, generated.credentials);
  expect('delegations', found.delegations, generated.delegations);
  expect('revocations', found.revoked, generated.revocations);
  return problems;
}

function formatReport(generated: GeneratedLog, bare: BareReadResult, replay: ReplayRun, problems: string[]) {
  const s = replay.summary;
  const ratio = s.eventsPerSecond / bare.eventsPerSecond;
  const cpuRatio = bare.cpuSeconds / bare.messages / (s.cpuSeconds / s.messages);
  const server = replay.serverCpuMsPerEvent;
  const peak = Math.max(s.peakRssMb, replay.sampledPeakRssMb ?? 0);
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const m = machine();
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(18) : c.padStart(i === 1 ? 10 : 11))).join(' ');
  return [
    `replay of ${count(generated.events)} events (${count(generated.credentials)} credentials, ` +
      `${(generated.bytes / 2 ** 20).toFixed(0)} MiB of JSON) from a ${settings.partitions}-partition topic`,
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, node ${m.node} (Kafka, PostgreSQL and the ` +
      `reader share these cores; other engineers' work too)`,
    '',
    row(['', 'events', 'seconds', 'events/s', 'CPU µs/ev', 'write p50', 'write p99', 'peak RSS']),
    row([
      'bare kafkajs read',
      count(bare.messages),
      bare.seconds.toFixed(2),
      count(bare.eventsPerSecond),
      ((bare.cpuSeconds * 1e6) / bare.messages).toFixed(1),
      '—',
      '—',
      '—',
    ]),
    row([
      'audit replay',
      count(s.messages),
      s.seconds.toFixed(2),
      count(s.eventsPerSecond),
      ((s.cpuSeconds * 1e6) / s.messages).toFixed(1),
      `${s.writes.p50Ms.toFixed(1)} ms`,
      `${s.writes.p99Ms.toFixed(1)} ms`,
      `${peak.toFixed(0)} MiB`,
    ]),
    '',
    `ratio replay / bare read: ${ratio.toFixed(2)}  [target ≥ ${TARGETS.minRatio}: ${verdict(ratio >= TARGETS.minRatio)}]` +
      `  (by CPU per event of the reading process: ${cpuRatio.toFixed(2)})`,
    `replay into PostgreSQL: ${count(s.eventsPerSecond)} events/s  ` +
      `[target ≥ ${count(TARGETS.minEventsPerSecond)}: ${verdict(s.eventsPerSecond >= TARGETS.minEventsPerSecond)}]`,
    `peak RSS of the replay process: ${peak.toFixed(0)} MiB (getrusage ${s.peakRssMb.toFixed(0)}, ` +
      `VmHWM sampled ${replay.sampledPeakRssMb?.toFixed(0) ?? '?'})  ` +
      `[target < ${TARGETS.maxPeakRssMb}: ${verdict(peak < TARGETS.maxPeakRssMb)}]`,
    `replay seconds: from the command's start (schema recreated, group joined) to the last write; ` +
      `the child's wall time with Nest boot: ${replay.wallSeconds.toFixed(1)} s`,
    `CPU µs per event during the replay: replay process ${((s.cpuSeconds * 1e6) / s.messages).toFixed(1)}, ` +
      `PostgreSQL ${(server.postgres * 1000).toFixed(1)}, Kafka ${(server.kafka * 1000).toFixed(1)}, ` +
      `whole machine ${(server.machine * 1000).toFixed(1)} (server-wide figures include others' work)`,
    `${s.writes.count} writes of ${count(s.rowsWritten)} rows in all; ${count(s.events)} events folded into ` +
      `${count(s.credentials)} credentials; ` +
      `malformed ${s.malformed.count}`,
    `generation: ${count(generated.events)} events produced in ${generated.seconds.toFixed(1)} s`,
    problems.length === 0
      ? 'replayed view = generated log (credentials, delegations, revocations): OK'
      : problems.map((p) => `BROKEN: ${p}`).join('\n'),
  ].join('\n');
}

async function main(): Promise<void> {
  log('building the audit CLI (nest build audit)');
  execFileSync('npx', ['nest', 'build', 'audit'], { cwd: ROOT, stdio: 'inherit' });
  const kafkaProcess = ensureKafka();
  const prefix = `${uniqueName('bench-replay')}.`;
  const topic = eventTopic(prefix);
  const schema = 'bench_replay';
  const kafka = testKafka('bench-replay');
  log(`database and topic ${topic} (${settings.partitions} partitions)`);
  const db = await createTestDatabase();
  try {
    await ensureTopics(kafka, [{ name: topic, partitions: settings.partitions, config: EVENT_TOPIC_CONFIG }]);
    const producer = new KafkaProducer(kafka);
    let shown = 0;
    log(`producing ${count(settings.events)} events (window ${settings.window} credentials)`);
    const generated = await generateLog(producer, topic, {
      events: settings.events,
      window: settings.window,
      onProgress: (n) => {
        if (n - shown >= 200_000) log(`  ${count((shown = n))} produced`);
      },
    });
    await producer.disconnect();
    log(`produced in ${generated.seconds.toFixed(1)} s`);

    log('baseline: bare kafkajs read of the whole topic');
    const bare = await bareRead(kafka, topic, { ...FETCH, concurrency: settings.partitions });
    log(`  ${count(bare.eventsPerSecond)} events/s`);

    log('audit replay (child process)');
    const replay = await runReplayChild(
      {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: testBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      },
      schema,
    );
    const problems = await checkView(db.url, schema, generated);
    const report = formatReport(generated, bare, replay, problems);
    console.log(`\n${report}\n`);
    writeJson(RESULTS, {
      at: new Date().toISOString(),
      settings,
      machine: machine(),
      targets: TARGETS,
      generated,
      bare,
      replay,
      ratio: replay.summary.eventsPerSecond / bare.eventsPerSecond,
      problems,
    });
    log(`written to ${RESULTS}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await deleteTopics(kafka, [topic]);
    await db.drop();
    kafkaProcess.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
