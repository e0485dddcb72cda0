import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';

/** Says when a shutdown starts and when every resource has been released. */
@Injectable()
export class ShutdownLogger implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log({ msg: 'shutting down', signal });
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.log({ msg: 'shutdown complete', signal });
  }
}
