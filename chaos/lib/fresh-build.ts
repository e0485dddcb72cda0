import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { APP_ENTRIES } from '@libs/testing';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

/** Sources the api and projector builds compile (tests and test helpers are not part of them). */
function newestSource(): number {
  let newest = 0;
  for (const dir of ['apps/api/src', 'apps/projector/src', 'libs']) {
    for (const file of readdirSync(join(ROOT, dir), { recursive: true }) as string[]) {
      if (!file.endsWith('.ts') || /\.(int-)?spec\.ts$/.test(file)) continue;
      if (dir === 'libs' && file.startsWith('testing')) continue;
      newest = Math.max(newest, statSync(join(ROOT, dir, file)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds the api and the projector when dist/ is missing or older than a source (as `npm start` does),
 * so the chaos run always exercises the code in the tree. Returns whether it built.
 */
export async function ensureFreshBuild(log: (line: string) => void): Promise<boolean> {
  const entries = Object.values(APP_ENTRIES).map((entry) => join(ROOT, entry));
  const built = entries.every((entry) => existsSync(entry))
    ? Math.min(...entries.map((entry) => statSync(entry).mtimeMs))
    : 0;
  if (built > newestSource()) return false;
  log('dist/ is missing or older than the sources: building the api and the projector');
  for (const app of Object.keys(APP_ENTRIES)) {
    await run(join(ROOT, 'node_modules/.bin/nest'), ['build', app], {
      cwd: ROOT,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`nest build ${app} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
    });
  }
  return true;
}
