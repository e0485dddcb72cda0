import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { BaselineInit } from './baseline-server';

export interface Baseline {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Forks the baseline server (./baseline-server.ts) and gives it the tokens. The child inherits this
 * process's `-r ts-node/register/transpile-only` flags, so it runs the TypeScript source directly.
 */
export async function startBaseline(init: BaselineInit): Promise<Baseline> {
  const child = fork(join(__dirname, 'baseline-server.ts'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`baseline server exited early (${code})`)));
    child.send(init);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
