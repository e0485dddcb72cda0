export { dataSourceOptions, ensureDatabase, migrate } from './data-source';
export { DatabaseModule } from './database.module';
export { pgPool } from './pg-pool';
export { StatementBatcher, type BatchResults } from './statement-batcher';
export { MIGRATIONS } from './migrations';
