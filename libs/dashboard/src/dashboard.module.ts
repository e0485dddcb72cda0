import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { LimitStore, LoginAttemptLimiter } from '@libs/security';
import { AppConfig } from '@libs/config';
import { TenantsModule } from '@libs/tenants';
import { DashboardAdminSeeder } from './admins/dashboard-admin.seeder';
import { DashboardAdmins } from './admins/dashboard-admins';
import { PostgresDashboardAdmins } from './admins/postgres-dashboard-admins';
import { DashboardExceptionFilter } from './http/dashboard-exception.filter';
import { DashboardPaths } from './http/dashboard-paths';
import { DashboardController } from './http/dashboard.controller';
import { DashboardGuard } from './http/dashboard.guard';
import { dashboardHeaders } from './http/security-headers';
import { DashboardSessions } from './sessions/dashboard-sessions';
import { PostgresDashboardSessions } from './sessions/postgres-dashboard-sessions';

/** 5 failed logins per 15 minutes per address and email: one administrator account, few legitimate typos. */
const DASHBOARD_LOGIN_LIMITS = { maxFailures: 5, windowMs: 15 * 60 * 1000 };
/** 20 per 15 minutes per address whatever the emails: a few administrators, each allowed a few typos. */
const DASHBOARD_ADDRESS_LIMITS = { maxFailures: 20, windowMs: 15 * 60 * 1000 };

/**
 * The administrators' dashboard at `PUBLIC_URL/dashboard`. Relies on the global `AppConfig`, `DataSource`,
 * `SecretKeys` and credentials (`DeviceCredentialQueries`, the `RevokeCredentials` command), and on the users and
 * clients of `TenantsModule`. Seeds the first administrator from the environment at boot.
 */
@Module({
  imports: [TenantsModule],
  controllers: [DashboardController],
  providers: [
    {
      provide: DashboardPaths,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => new DashboardPaths(c.publicUrl),
    },
    { provide: DashboardAdmins, useClass: PostgresDashboardAdmins },
    { provide: DashboardSessions, useClass: PostgresDashboardSessions },
    {
      provide: LoginAttemptLimiter,
      inject: [LimitStore],
      useFactory: (store: LimitStore) =>
        new LoginAttemptLimiter(
          DASHBOARD_LOGIN_LIMITS,
          { store, name: 'dashboard-login-failures' },
          DASHBOARD_ADDRESS_LIMITS,
        ),
    },
    DashboardGuard,
    DashboardExceptionFilter,
    DashboardAdminSeeder,
  ],
})
export class DashboardModule implements NestModule {
  /** Security headers on every dashboard response, before guards run (redirects and refusals included). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(dashboardHeaders).forRoutes(DashboardController);
  }
}
