import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './app-process';

const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '../../../scripts/kafka/kafka.sh');

/**
 * A Kafka broker of a test's own (real Apache Kafka, via scripts/kafka/kafka.sh on free ports), for
 * tests that stop and start the broker without disturbing the shared one. With `scramUsers` its client
 * port takes SASL/SCRAM (SHA-256 and SHA-512) for those users only.
 */
export class DedicatedKafkaBroker {
  private constructor(
    readonly port: number,
    private readonly controllerPort: number,
    private readonly dataDir: string,
    private readonly scramUsers: Record<string, string>,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(options: { scramUsers?: Record<string, string> } = {}): Promise<DedicatedKafkaBroker> {
    const broker = new DedicatedKafkaBroker(
      await freePort(),
      await freePort(),
      mkdtempSync(join(tmpdir(), 'rts-kafka-test-')),
      options.scramUsers ?? {},
    );
    await broker.start();
    return broker;
  }

  private env() {
    return {
      ...process.env,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_DATA_DIR: this.dataDir,
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
      KAFKA_SCRAM_USERS: Object.entries(this.scramUsers)
        .map(([user, password]) => `${user}:${password}`)
        .join(','),
    };
  }

  async start(): Promise<void> {
    await run('bash', [SCRIPT, 'up'], { env: this.env(), timeout: 120_000 });
  }

  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'down'], { env: this.env(), timeout: 60_000 });
  }

  /** Stops the broker and deletes its data. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
