import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { MessagingModule } from '@libs/messaging';
import { HealthModule, LoggingModule, ShutdownLogger } from '@libs/platform';
import { ProjectionsModule } from '@libs/projections';

/** The projector: a Kafka consumer group member that keeps the PostgreSQL views up to date. */
@Module({})
export class ProjectorModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('projector'),
        DatabaseModule.as('projector'),
        MessagingModule.forRoot('projector'),
        HealthModule,
        ProjectionsModule,
      ],
      providers: [ShutdownLogger],
    };
  }
}
