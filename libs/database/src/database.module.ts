import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@libs/config';
import { dataSourceOptions } from './data-source';

/** The PostgreSQL connection of a process. Schema changes only through migrations. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      // A process that cannot reach its database at boot fails within seconds (and says why) rather
      // than serving half a service; once running, the pool reconnects by itself after an outage.
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database.url),
        migrationsRun: false,
        retryAttempts: 3,
        retryDelay: 1_000,
      }),
    }),
  ],
})
export class DatabaseModule {}
