import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';
import { PreviousSecretMetrics } from './previous-secret.metrics';

/**
 * One `Metrics` per process. Every lib that records metrics imports this module; being static and
 * global, it is instantiated once however many import it. With it, uses of a previous server secret's
 * keys are counted (`PreviousSecretMetrics`).
 */
@Global()
@Module({ providers: [Metrics, PreviousSecretMetrics], exports: [Metrics] })
export class MetricsModule {}
