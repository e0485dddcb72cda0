import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@libs/domain';
import { DEVICE_CREDENTIAL_COLUMNS, DeviceCredentialProjection } from '@libs/projections';

const TABLE = 'chaos_replay_device_credentials';
const CHUNK = 2_000;
const COMPARED = DEVICE_CREDENTIAL_COLUMNS.filter((column) => column !== 'id');

/**
 * A fresh replay of the topic: the events the chaos run read from Kafka, folded by the projector's own
 * `DeviceCredentialProjection` into a scratch table of the view's shape, then compared with the live
 * view column by column. The replay is built with no crash, no restart and no rebalance, so any
 * difference is something the faults did to the live view.
 */
export class ReplayView {
  private readonly projection = new DeviceCredentialProjection('chaos-replay', TABLE);

  constructor(private readonly db: DataSource) {}

  async create(): Promise<void> {
    await this.db.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await this.db.query(`CREATE TABLE ${TABLE} (LIKE device_credentials INCLUDING ALL)`);
  }

  /** Folds events in, in order (redelivered ones change nothing: the fold is idempotent by version). */
  async apply(envelopes: EventEnvelope[]): Promise<void> {
    for (let i = 0; i < envelopes.length; i += CHUNK) {
      await this.db.transaction((tx) => this.projection.apply(tx, envelopes.slice(i, i + CHUNK)));
    }
  }

  /** Ids of the credentials whose live row differs from the replayed one (or exists on one side only). */
  async differences(): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(`
      SELECT coalesce(v.id, r.id) AS id
      FROM device_credentials v FULL JOIN ${TABLE} r ON r.id = v.id
      WHERE v.id IS NULL OR r.id IS NULL
         OR (${COMPARED.map((c) => `v.${c}`).join(', ')}) IS DISTINCT FROM (${COMPARED.map((c) => `r.${c}`).join(', ')})`);
    return rows.map((r) => r.id);
  }

  async rows(): Promise<number> {
    return Number((await this.db.query(`SELECT count(*)::int AS n FROM ${TABLE}`))[0].n);
  }
}
