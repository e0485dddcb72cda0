import 'reflect-metadata';
import { boot } from '@libs/platform';
import { ProjectorModule } from './projector.module';

void boot({
  name: 'projector',
  module: ProjectorModule.register,
  port: (config) => config.http.projectorPort,
  metricsPort: (config) => config.metrics.projectorPort,
});
