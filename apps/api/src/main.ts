import 'reflect-metadata';
import { boot } from '@libs/platform';
import { ApiModule } from './api.module';
import { configureOpenApi } from './api.openapi';

void boot({
  name: 'api',
  module: ApiModule.register,
  port: (config) => config.http.port,
  configure: configureOpenApi,
});
