import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

export interface RedisConnectionOptions {
  /** The logger's context: who uses the connection. */
  name: string;
  /** A command slower than this fails (and counts as an outage): the hot path never waits on a stalled Redis. */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** Logged once when an outage starts (at warn, with the reason) and once when it ends. */
  messages: { down: string; up: string };
}

/**
 * One ioredis connection for a store on the hot path (the limits, the DPoP replay cache): commands fail
 * at once while it is disconnected (no offline queue, no retry per request), it reconnects by itself,
 * and an outage is logged once when it starts and once when it ends.
 */
export class RedisConnection {
  readonly client: Redis;
  private readonly logger: Logger;
  private down = false;
  private closing = false;

  constructor(
    url: string,
    private readonly options: RedisConnectionOptions,
  ) {
    this.logger = new Logger(options.name);
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    this.client.on('error', (error: Error) => this.failing(error.message));
    this.client.on('close', () => {
      if (!this.closing) this.failing('connection closed');
    });
    this.client.on('ready', () => {
      if (this.down) this.logger.log({ msg: this.options.messages.up });
      this.down = false;
    });
  }

  /** Whether Redis answers now. */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /** Waits (at most `timeoutMs`) for the first connection; whether it is ready. */
  async connected(timeoutMs: number): Promise<boolean> {
    if (this.ready) return true;
    await new Promise<void>((done) => {
      const finish = () => {
        clearTimeout(timer);
        this.client.off('ready', finish);
        done();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.client.once('ready', finish);
    });
    return this.ready;
  }

  /** Marks an outage (logged once until the connection is ready again): also for a failed command. */
  failing(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn({ msg: this.options.messages.down, err: reason });
  }

  close(): void {
    this.closing = true;
    this.client.disconnect();
  }
}
