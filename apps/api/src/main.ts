import 'reflect-metadata';
import { boot } from '@libs/platform';
import { ApiModule } from './api.module';

void boot({ name: 'api', module: ApiModule.register, port: (config) => config.http.port });
