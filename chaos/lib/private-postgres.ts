import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@libs/testing';

const run = promisify(execFile);

/** The directory holding `initdb`, `pg_ctl` and `postgres`: pg_config's, else the newest under /usr/lib/postgresql. */
function serverBinaries(): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    /* no pg_config: look in the Debian layout */
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql');
  return found;
}

/** PostgreSQL refuses to run as root: as root, run its commands as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root, and there is no `postgres` user to run the private server as');
  }
}

/**
 * A PostgreSQL server of the chaos run's own (initdb in a temporary folder, its own port and socket),
 * so the restart scenario stops and crashes it without touching the machine's server. fsync and
 * synchronous_commit stay on: an immediate stop is a crash, and what was acknowledged must survive it.
 */
export class PrivatePostgres {
  private running = false;
  private readonly reap = () => this.killNow();

  private constructor(
    private readonly bin: string,
    private readonly root: string,
    private readonly user: { uid: number; gid: number } | undefined,
    readonly port: number,
  ) {}

  private get data(): string {
    return join(this.root, 'data');
  }

  get logFile(): string {
    return join(this.root, 'postgres.log');
  }

  /** Connection URL of database `name` (trust authentication, user postgres). */
  url(name = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  static async create(): Promise<PrivatePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'rts-chaos-pg-'));
    const user = serverUser();
    if (user) chownSync(root, user.uid, user.gid);
    const pg = new PrivatePostgres(serverBinaries(), root, user, await freePort());
    process.once('exit', pg.reap);
    await pg.command(
      'initdb',
      ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'],
      120_000,
    );
    mkdirSync(join(root, 'socket'));
    if (user) chownSync(join(root, 'socket'), user.uid, user.gid);
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${join(this.root, 'socket')}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=on',
      '-c synchronous_commit=on',
      '-c full_page_writes=on',
      '-c max_connections=200',
    ].join(' ');
    await this.command(
      'pg_ctl',
      ['-D', this.data, '-l', this.logFile, '-o', options, '-w', '-t', '60', 'start'],
      90_000,
    );
    this.running = true;
  }

  /** `fast`: a clean shutdown; `immediate`: a crash (no checkpoint, WAL replay at the next start). */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.command('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop'], 90_000);
    this.running = false;
  }

  /** Stops the server and deletes its folder (unless `keep`). */
  async destroy(keep = false): Promise<void> {
    if (this.running) await this.stop('immediate').catch(() => this.killNow());
    process.removeListener('exit', this.reap);
    if (!keep) rmSync(this.root, { recursive: true, force: true });
  }

  private async command(name: string, args: string[], timeout: number): Promise<void> {
    try {
      await run(join(this.bin, name), args, {
        cwd: this.root,
        timeout,
        env: { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' },
        ...this.user,
      });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${name} failed: ${e.stderr || e.stdout || e.message}`);
    }
  }

  /** Last resort when the run dies without its teardown: SIGQUIT is PostgreSQL's immediate shutdown. */
  private killNow(): void {
    try {
      const pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      /* not running */
    }
  }
}
