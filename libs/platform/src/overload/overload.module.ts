import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { AdmissionControl } from './admission-control';
import { AdmissionMiddleware } from './admission.middleware';
import { ControlPlaneMiddleware } from './control-plane.middleware';
import { EventLoopDelay } from './event-loop-delay';

/**
 * Overload behaviour of a process that serves the hot path: admission control (`AdmissionMiddleware`)
 * and the control plane's mark (`ControlPlaneMiddleware`); the app applies both to its routes.
 */
@Global()
@Module({
  imports: [MetricsModule],
  providers: [EventLoopDelay, AdmissionControl, AdmissionMiddleware, ControlPlaneMiddleware],
  exports: [AdmissionControl, AdmissionMiddleware, ControlPlaneMiddleware],
})
export class OverloadModule {}
