export { dataSourceOptions, ensureDatabase, migrate } from './data-source';
export { DatabaseModule } from './database.module';
export { pgPool } from './pg-pool';
export { MIGRATIONS } from './migrations';
