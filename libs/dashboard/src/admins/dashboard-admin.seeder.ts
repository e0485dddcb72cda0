import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { DashboardAdmins } from './dashboard-admins';

/**
 * At boot, stores the administrator from `DASHBOARD_ADMIN_EMAIL` / `DASHBOARD_ADMIN_PASSWORD` when the
 * dashboard has none: the environment seeds the first start only. Later changes of those variables do not
 * overwrite the stored administrator (a restart with a stale or default password must not reset it).
 */
@Injectable()
export class DashboardAdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DashboardAdminSeeder.name);

  constructor(
    private readonly admins: DashboardAdmins,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { email, password } = this.config.dashboardAdmin;
    const created = await this.admins.createFirst(email, password);
    if (created) this.logger.log({ msg: 'dashboard administrator created', email });
    else this.logger.log({ msg: 'dashboard administrator exists; DASHBOARD_ADMIN_* not applied' });
  }
}
