import { Module } from '@nestjs/common';
import { MetricsModule } from '@libs/platform';
import { ProjectorService } from './projector.service';

/** The projector process's work: consume the event topic into the PostgreSQL views. */
@Module({ imports: [MetricsModule], providers: [ProjectorService], exports: [ProjectorService] })
export class ProjectionsModule {}
