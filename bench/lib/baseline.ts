import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { BaselineInit } from './baseline-server';

export interface Baseline {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** What a forked bench server answers once it listens (and whatever else it has to say, e.g. tokens). */
export interface ChildReady {
  port: number;
}

/**
 * Forks one of the bench's servers (a file of this folder), sends it `init` and waits for its port.
 * The child inherits this process's `-r ts-node/register/transpile-only` flags, so it runs the
 * TypeScript source directly; `env` is added to this process's environment.
 */
export async function startChild<I, R extends ChildReady>(
  file: string,
  init: I,
  env: Record<string, string> = {},
): Promise<Baseline & { ready: R }> {
  const child = fork(join(__dirname, file), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ready = await new Promise<R>((resolve, reject) => {
    child.once('message', (message: R) => resolve(message));
    child.once('exit', (code) => reject(new Error(`${file} exited early (${code})`)));
    child.send(init as object);
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    pid: child.pid!,
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The bare baseline (./baseline-server.ts) with the service's clients and tokens. */
export function startBaseline(init: BaselineInit): Promise<Baseline> {
  return startChild('baseline-server.ts', init);
}
