import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { stopTracing } from './tracing/tracing-sdk';

/** Says when a shutdown starts and when every resource has been released (the last spans exported). */
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
  }
}
