export { dataSourceOptions, ensureDatabase, migrate } from './data-source';
export { DatabaseModule } from './database.module';
export { MIGRATIONS } from './migrations';
