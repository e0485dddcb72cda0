import { DynamicModule, Module } from '@nestjs/common';
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
import { HealthModule, LoggingModule, ShutdownLogger } from '@libs/platform';
import { SecurityModule } from '@libs/security';

/** The public origin: every HTTP endpoint of the tenant under `PUBLIC_URL`. */
@Module({})
export class ApiModule {
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
}
