import type {
  DynamicModule,
  INestApplication,
  INestApplicationContext,
  LoggerService,
  Type,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigModule, loadConfig, type AppConfig } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { MessagingModule } from '@libs/messaging';
import { OAuthExceptionFilter } from '@libs/platform';
import { SecurityModule } from '@libs/security';
import { createTestDatabase, type TestDatabase } from './test-database';
import { testBrokers, uniqueName } from './test-kafka';

const noop = () => undefined;
/** Tests provoke failures on purpose; TEST_LOGS=1 shows the logs. */
export const SILENT: LoggerService = { log: noop, error: noop, warn: noop, debug: noop, verbose: noop };

export interface TestStack {
  db: TestDatabase;
  config: AppConfig;
  app: INestApplicationContext;
  close(): Promise<void>;
}

type Imports = Array<Type | DynamicModule>;

/** A fresh migrated database, a topic prefix of its own, and the infrastructure modules around `imports`. */
async function compileStack(imports: Imports, env: Record<string, string>) {
  const db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_TOPIC_PREFIX: `${uniqueName('it')}.`,
    ...env,
  });
  const builder = Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule,
      MessagingModule.forRoot('it'),
      SecurityModule,
      ...imports,
    ],
  });
  if (!process.env.TEST_LOGS) builder.setLogger(SILENT);
  return { db, config, moduleRef: await builder.compile() };
}

/**
 * A Nest context on the real infrastructure: a fresh migrated database, the shared broker, and a topic
 * prefix of its own, with the given feature modules. `env` overrides configuration variables.
 */
export async function createTestStack(
  imports: Imports,
  env: Record<string, string> = {},
): Promise<TestStack> {
  const { db, config, moduleRef } = await compileStack(imports, env);
  const app = await moduleRef.init();
  return {
    db,
    config,
    app,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export interface HttpTestApp extends TestStack {
  http: INestApplication;
}

/**
 * Like `createTestStack`, as an HTTP application (global OAuth error filter included), for in-process
 * supertest specs of a feature module.
 */
export async function createHttpTestApp(
  imports: Imports,
  env: Record<string, string> = {},
): Promise<HttpTestApp> {
  const { db, config, moduleRef } = await compileStack(imports, env);
  const http = moduleRef.createNestApplication();
  http.useGlobalFilters(new OAuthExceptionFilter());
  await http.init();
  return {
    db,
    config,
    app: http,
    http,
    async close() {
      await http.close();
      await db.drop();
    },
  };
}
