import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@libs/config';
import type { AppRole } from './app-roles';
import { ControlPlanePool } from './control-plane-pool';
import { dataSourceOptions } from './data-source';

const connection = (role?: AppRole) =>
  TypeOrmModule.forRootAsync({
    inject: [AppConfig],
    // A process that cannot reach its database at boot fails within seconds (and says why) rather
    // than serving half a service; once running, the pool reconnects by itself after an outage.
    useFactory: (config: AppConfig) => ({
      ...dataSourceOptions(role ? config.database[role] : config.database.url),
      migrationsRun: false,
      retryAttempts: 3,
      retryDelay: 1_000,
    }),
  });

@Module({ providers: [ControlPlanePool] })
class ProcessDatabaseModule {}

/** The PostgreSQL connection of a process (as the owner, `DATABASE_URL`). Schema changes only through migrations. */
@Module({ imports: [connection()], providers: [ControlPlanePool] })
export class DatabaseModule {
  /** The connection as the process's own least-privileged role (`DATABASE_API_URL`, `DATABASE_PROJECTOR_URL`). */
  static as(role: AppRole): DynamicModule {
    return { module: ProcessDatabaseModule, imports: [connection(role)] };
  }
}
