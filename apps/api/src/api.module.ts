import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuthenticationModule } from '@libs/authentication';
import { AppConfig, ConfigModule } from '@libs/config';
import { CredentialsModule } from '@libs/credentials';
import { DashboardModule } from '@libs/dashboard';
import { DatabaseModule } from '@libs/database';
import { DelegationModule } from '@libs/delegation';
import { EventStoreModule } from '@libs/event-store';
import { JwtModule } from '@libs/jwt';
import { ManagementModule } from '@libs/management';
import { MessagingModule } from '@libs/messaging';
import {
  AdmissionMiddleware,
  CLIENT_CORS_PATHS,
  CONTROL_PLANE_ROUTES,
  ControlPlaneMiddleware,
  CorsMiddleware,
  HealthModule,
  LoggingModule,
  OverloadModule,
  PUBLIC_CORS_PATH,
  ShutdownLogger,
  TracingModule,
} from '@libs/platform';
import { SecurityModule } from '@libs/security';

/** The public origin: every HTTP endpoint of the tenant under `PUBLIC_URL`. */
@Module({})
export class ApiModule implements NestModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('api'),
        DatabaseModule.as('api'),
        MessagingModule.forRoot('api'),
        SecurityModule,
        HealthModule,
        TracingModule,
        OverloadModule,
        EventStoreModule.forRoot({ relay: true }),
        CredentialsModule,
        JwtModule,
        ManagementModule,
        AuthenticationModule,
        DelegationModule,
        DashboardModule,
      ],
      providers: [ShutdownLogger],
    };
  }

  /**
   * CORS for browser SDKs, in one place for every route a browser may call (see cors-policy.ts); the
   * control plane first and the hot path shed under overload (docs/operations.md, "Overload").
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(CorsMiddleware)
      .forRoutes(
        ...[...CLIENT_CORS_PATHS, PUBLIC_CORS_PATH].map((path) => ({ path, method: RequestMethod.ALL })),
      );
    consumer.apply(ControlPlaneMiddleware).forRoutes(...CONTROL_PLANE_ROUTES);
    consumer
      .apply(AdmissionMiddleware)
      .forRoutes(
        { path: 'delegation', method: RequestMethod.POST },
        { path: 'delegation', method: RequestMethod.GET },
        { path: 'oauth/token', method: RequestMethod.POST },
      );
  }
}
