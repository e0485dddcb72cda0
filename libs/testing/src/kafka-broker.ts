import { freePort } from './app-process';
import { DedicatedService, serviceDir } from './dedicated-service';

/**
 * A Kafka broker of a test's own (real Apache Kafka, via scripts/kafka/kafka.sh on free ports), for
 * tests that stop and start the broker without disturbing the shared one. With `scramUsers` its client
 * port takes SASL/SCRAM (SHA-256 and SHA-512) for those users only.
 */
export class DedicatedKafkaBroker extends DedicatedService {
  private constructor(
    readonly port: number,
    private readonly controllerPort: number,
    dataDir: string,
    private readonly scramUsers: Record<string, string>,
  ) {
    super('kafka/kafka.sh', dataDir);
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(options: { scramUsers?: Record<string, string> } = {}): Promise<DedicatedKafkaBroker> {
    const broker = new DedicatedKafkaBroker(
      await freePort(),
      await freePort(),
      serviceDir('kafka'),
      options.scramUsers ?? {},
    );
    await broker.start();
    return broker;
  }

  protected env() {
    return {
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_DATA_DIR: this.dir,
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
      KAFKA_SCRAM_USERS: Object.entries(this.scramUsers)
        .map(([user, password]) => `${user}:${password}`)
        .join(','),
    };
  }
}
