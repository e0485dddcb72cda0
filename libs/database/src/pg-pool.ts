import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { ControlPlane } from './control-plane';

/** The control plane's own pools, by the data source they mirror (see `ControlPlanePool`). */
const controlPools = new WeakMap<DataSource, Pool>();

/** Registers (or, with `undefined`, removes) the control plane's pool for `dataSource`. */
export function setControlPool(dataSource: DataSource, pool: Pool | undefined): void {
  if (pool) controlPools.set(dataSource, pool);
  else controlPools.delete(dataSource);
}

/**
 * The `pg` pool behind a TypeORM data source, for the hot path: a plain `pool.query` skips TypeORM's
 * per-query QueryRunner (check-out, broadcaster, logging), which costs more CPU than the query itself.
 * Same connections, same transactions semantics for single statements.
 *
 * On the control plane (`ControlPlane.run`: revocations) it is the control plane's own small pool when
 * the process has one, so a revocation never waits for a connection behind the delegations.
 */
export function pgPool(dataSource: DataSource): Pool {
  const control = ControlPlane.active() ? controlPools.get(dataSource) : undefined;
  if (control) return control;
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('the data source is not initialised on PostgreSQL');
  return pool;
}
