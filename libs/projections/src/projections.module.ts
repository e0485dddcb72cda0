import { Module } from '@nestjs/common';
import { ProjectorService } from './projector.service';

/** The projector process's work: consume the event topic into the PostgreSQL views. */
@Module({ providers: [ProjectorService], exports: [ProjectorService] })
export class ProjectionsModule {}
