export { connectionAs, DEFAULT_APP_ROLES, grantAppRoles, TABLE_PRIVILEGES, type AppRole } from './app-roles';
export { dataSourceOptions, ensureDatabase, migrate } from './data-source';
export { DatabaseModule } from './database.module';
export { ControlPlane } from './control-plane';
export { Overloaded } from './overloaded';
export { pgPool } from './pg-pool';
export { StatementBatcher, type BatchResults, type BatcherOptions } from './statement-batcher';
export { BACKFILL_PREVIOUS_TOKEN, MIGRATIONS } from './migrations';
