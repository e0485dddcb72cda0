import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { flushLogs } from './logging/logging.module';
import { stopTracing } from './tracing/tracing-sdk';

/**
 * Says when a shutdown starts and when every resource has been released (the last spans exported), and
 * waits for those lines to be written.
 */
@Injectable()
export class ShutdownLogger implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log({ msg: 'shutting down', signal });
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await stopTracing().catch((error: unknown) =>
      this.logger.warn({ msg: 'could not export the last spans', err: String(error) }),
    );
    this.logger.log({ msg: 'shutdown complete', signal });
    await flushLogs(); // the process ends by its signal next: no 'exit' event to flush the last lines
  }
}
