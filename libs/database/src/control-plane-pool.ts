import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import { pgPool, setControlPool } from './pg-pool';
import { StatementBatcher } from './statement-batcher';

/**
 * The control plane's own connections (`DATABASE_CONTROL_POOL_SIZE`, same URL and role as the
 * process's pool): revocations never wait for one of the connections the delegations keep busy. Also
 * applies `OVERLOAD_MAX_QUEUE` to the hot path's statement queues.
 */
@Injectable()
export class ControlPlanePool implements OnModuleInit, OnApplicationShutdown {
  private pool?: Pool;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    StatementBatcher.maxQueue = this.config.overload.maxQueue;
    if (this.config.database.controlPoolSize === 0) return;
    const shared = pgPool(this.dataSource).options;
    this.pool = new Pool({ ...shared, max: this.config.database.controlPoolSize });
    // An idle connection that drops (a PostgreSQL restart) must not crash the process; the pool reconnects.
    this.pool.on('error', () => undefined);
    setControlPool(this.dataSource, this.pool);
  }

  async onApplicationShutdown(): Promise<void> {
    setControlPool(this.dataSource, undefined);
    await this.pool?.end();
  }
}
