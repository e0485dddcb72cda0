import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPTS = resolve(__dirname, '../../../scripts');

/** A fresh folder for the data of one dedicated service. */
export const serviceDir = (name: string) => mkdtempSync(join(tmpdir(), `rts-${name}-test-`));

/**
 * A service of a test's own, run by the project's script for it (`<script> up` / `down`) on free ports
 * with a folder of its own: a test may stop and start it without disturbing any other.
 */
export abstract class DedicatedService {
  protected constructor(
    /** The script under scripts/, e.g. `kafka/kafka.sh`. */
    private readonly script: string,
    /** The service's data folder (deleted by `destroy`). */
    protected readonly dir: string,
  ) {}

  /** The script's environment for this instance (ports, folder). */
  protected abstract env(): Record<string, string>;

  async start(): Promise<void> {
    await this.run('up', 120_000);
  }

  async stop(): Promise<void> {
    await this.run('down', 60_000);
  }

  /** Stops the service and deletes its data. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(command: 'up' | 'down', timeout: number): Promise<void> {
    await run('bash', [join(SCRIPTS, this.script), command], {
      env: { ...process.env, ...this.env() },
      timeout,
    });
  }
}
