import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReadinessCheck } from './readiness-check';

/** PostgreSQL answers a trivial query within the pool's connection timeout. */
@Injectable()
export class PostgresReadiness extends ReadinessCheck {
  readonly name = 'postgres';

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async check(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
