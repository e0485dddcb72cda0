import { Injectable } from '@nestjs/common';
import { KafkaProbe } from '@libs/messaging';
import { ReadinessCheck } from './readiness-check';

/** The Kafka broker answers a metadata request. */
@Injectable()
export class KafkaReadiness extends ReadinessCheck {
  readonly name = 'kafka';

  constructor(private readonly probe: KafkaProbe) {
    super();
  }

  check(): Promise<void> {
    return this.probe.check();
  }
}
