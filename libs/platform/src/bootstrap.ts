import { Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig, InvalidConfigError, configFromEnvironment } from '@libs/config';
import { answerClientErrors } from './http/client-errors';
import { Metrics } from './metrics/metrics';
import { warnOfUntrustedProxy } from './http/forwarded-headers';
import { methodNotAllowed } from './http/method-not-allowed';
import { OAuthExceptionFilter } from './http/oauth-exception.filter';
import { securityHeaders, securityHeadersMiddleware } from './http/security-headers.middleware';
import { startTracing } from './tracing/tracing-sdk';

export interface BootOptions {
  /** Names the process in logs. */
  name: string;
  /** The root module, built from the validated configuration. */
  module: (config: AppConfig) => Type | import('@nestjs/common').DynamicModule;
  /** Where this process listens. */
  port: (config: AppConfig) => number;
  /** Where this process serves Prometheus `/metrics` (a listener of its own). */
  metricsPort?: (config: AppConfig) => number;
  /** Extra wiring before listening (body parsers, static assets). */
  configure?: (app: INestApplication, config: AppConfig) => void | Promise<void>;
}

/**
 * Boots a process: configuration validated first (a bad variable stops it with a message naming it),
 * JSON logs, security headers on every response, OAuth-style errors, SIGTERM/SIGINT drain everything
 * before exit.
 */
export async function boot(options: BootOptions): Promise<INestApplication> {
  let config: AppConfig;
  try {
    config = configFromEnvironment();
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      process.stderr.write(`${options.name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  startTracing(config, options.name);
  const app = await NestFactory.create(options.module(config), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  // Before the body parsers and routes: every response of every app carries the security headers.
  app.use(securityHeadersMiddleware(config.publicUrl));
  const metrics = options.metricsPort ? app.get(Metrics) : undefined;
  if (metrics) app.use(metrics.httpMiddleware());
  app.useGlobalFilters(new OAuthExceptionFilter((error) => metrics?.failed(error, 'http')));
  answerClientErrors(app.getHttpServer(), securityHeaders(config.publicUrl));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // X-Forwarded-For is believed only from configured proxies (TRUST_PROXY); by default never.
  app.getHttpAdapter().getInstance().set('trust proxy', config.trustProxy);
  if (config.trustProxy === false) app.use(warnOfUntrustedProxy(new Logger('TrustProxy')));
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  await options.configure?.(app, config);
  if (metrics && options.metricsPort) {
    await metrics.listen(options.metricsPort(config), config.http.host, options.name);
  }
  const express = app.getHttpAdapter().getInstance() as { router: { stack: [] } };
  // After every other middleware, before the routes Nest registers at listen(): read lazily.
  app.use(methodNotAllowed(() => express.router.stack));
  const port = options.port(config);
  await app.listen(port, config.http.host);
  new Logger(options.name).log({
    msg: `${options.name} listening`,
    url: `http://${config.http.host}:${port}`,
    tracing: config.tracing.otlpEndpoint ? `${config.tracing.otlpEndpoint}/v1/traces` : 'off',
  });
  return app;
}
