import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { eventually } from './test-kafka';

const ROOT = resolve(__dirname, '../../..');

/**
 * The V8 flags every app runs with (`npm start`, Dockerfile, docker-compose, tests): a young generation
 * of up to 32 MB semi-spaces instead of 16 MB, so the short-lived garbage of each request dies in fewer
 * scavenges — 10 % less api CPU per exchange in bench:delegation, for ~30 MB of peak RSS (docs/adr/0011).
 */
export const APP_NODE_FLAGS = ['--max-semi-space-size=32'] as const;

/** Compiled entry points of the apps (scripts/test.sh builds them before the e2e depth runs). */
export const APP_ENTRIES = {
  api: 'dist/apps/api/apps/api/src/main.js',
  projector: 'dist/apps/projector/apps/projector/src/main.js',
} as const;

export interface AppProcess {
  child: ChildProcess;
  /** Every stdout line the process wrote so far (JSON log lines). */
  lines: string[];
  stderr: string[];
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[];
}

/** Runs a compiled app with the given environment, as `npm start` would. */
export function spawnApp(app: keyof typeof APP_ENTRIES, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, APP_ENTRIES[app]], {
    cwd: ROOT,
    // Metrics on any free port unless a test asks for one: apps of parallel test files never collide.
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      METRICS_PORT: '0',
      PROJECTOR_METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test run that ends abruptly (timeout, --forceExit) must not leave the app running behind it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  const lines: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      into.push(...parts.filter(Boolean));
    };
  };
  child.stdout!.on('data', collect(lines));
  child.stderr!.on('data', collect(stderr));
  const exited = new Promise<number | string>((done) =>
    child.on('exit', (code, signal) => done(code ?? signal ?? -1)),
  );
  return {
    child,
    lines,
    stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    logs: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
  };
}

/** Waits until `url` answers `GET /health` with 200. */
export async function waitForHealth(url: string, app?: AppProcess, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => {
    if (app && (app.child.exitCode !== null || app.child.signalCode !== null)) {
      throw new Error(`the app exited early:\n${[...app.stderr, ...app.lines].slice(-20).join('\n')}`);
    }
    return (await fetch(`${url}/health`)).ok;
  }, timeoutMs);
}

/** A TCP port that is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
