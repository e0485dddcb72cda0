import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';

/**
 * One `Metrics` per process. Every lib that records metrics imports this module; being static and
 * global, it is instantiated once however many import it.
 */
@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
