import 'reflect-metadata';
import { ExchangeRefreshTokenHandler } from '@libs/credentials';
import { boot, rateLimitHeadersOnEveryAnswer } from '@libs/platform';
import { ApiModule } from './api.module';
import { configureOpenApi } from './api.openapi';

void boot({
  name: 'api',
  module: ApiModule.register,
  port: (config) => config.http.port,
  metricsPort: (config) => config.metrics.apiPort,
  configure: (app, config) => {
    const exchange = app.get(ExchangeRefreshTokenHandler);
    app.use(
      '/delegation',
      rateLimitHeadersOnEveryAnswer((ip) => exchange.refusalBudget(ip)),
    );
    configureOpenApi(app, config);
  },
});
