import { randomBytes } from 'node:crypto';
import { freePort } from './app-process';
import { DedicatedService, serviceDir } from './dedicated-service';

/**
 * A Redis of a test's own for the shared limits (Debian's redis-server via scripts/redis/redis.sh, on a
 * free port, in memory only), stopped and started at will: an outage of it disturbs no other test.
 */
export class DedicatedRedis extends DedicatedService {
  private constructor(readonly port: number) {
    super('redis/redis.sh', serviceDir('redis'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<DedicatedRedis> {
    const redis = new DedicatedRedis(await freePort());
    await redis.start();
    return redis;
  }

  protected env() {
    return { REDIS_PORT: String(this.port), REDIS_DIR: this.dir };
  }
}

/** A key prefix of its own for one test, so that tests sharing a Redis never share a count. */
export function uniqueLimitsPrefix(): string {
  return `rts-test-${randomBytes(4).toString('hex')}:`;
}
