import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { KafkaReadiness } from './kafka.readiness';
import { PostgresReadiness } from './postgres.readiness';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check';

/** `/health` and `/health/ready` for a process that needs PostgreSQL and Kafka. */
@Module({
  controllers: [HealthController],
  providers: [
    PostgresReadiness,
    KafkaReadiness,
    {
      provide: READINESS_CHECKS,
      inject: [PostgresReadiness, KafkaReadiness],
      useFactory: (...checks: ReadinessCheck[]) => checks,
    },
  ],
})
export class HealthModule {}
