import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The `pg` pool behind a TypeORM data source, for the hot path: a plain `pool.query` skips TypeORM's
 * per-query QueryRunner (check-out, broadcaster, logging), which costs more CPU than the query itself.
 * Same connections, same transactions semantics for single statements.
 */
export function pgPool(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('the data source is not initialised on PostgreSQL');
  return pool;
}
