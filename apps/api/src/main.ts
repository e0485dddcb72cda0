import 'reflect-metadata';
import { boot } from '@libs/platform';
import { ApiModule } from './api.module';
import { configureOpenApi } from './api.openapi';

void boot({
  name: 'api',
  module: ApiModule.register,
  port: (config) => config.http.port,
  metricsPort: (config) => config.metrics.apiPort,
  configure: configureOpenApi,
});
