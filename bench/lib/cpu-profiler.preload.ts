/**
 * Preloaded (transpiled to JS, `NODE_OPTIONS=-r …/cpu-profiler.preload.js`) into the api when the
 * bench runs with BENCH_CPU_PROF=1, because Node refuses `--cpu-prof` in NODE_OPTIONS and the bench
 * must not change how the app is started. The first SIGUSR2 starts V8's sampling profiler, the next
 * one stops it and writes `<BENCH_PROFILE_DIR>/<pid>-<n>.cpuprofile` — so the bench profiles exactly
 * the load windows it chooses, not the boot or the token issuance.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR ?? '.';
const session = new Session();
session.connect();
let running = false;
let written = 0;

process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return void process.stderr.write(`cpu profiler: ${String(error)}\n`);
    mkdirSync(dir, { recursive: true });
    written++;
    writeFileSync(join(dir, `${process.pid}-${written}.cpuprofile`), JSON.stringify(result.profile));
  });
});
