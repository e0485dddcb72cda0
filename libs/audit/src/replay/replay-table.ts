import type { Pool } from 'pg';
import { DEVICE_CREDENTIAL_COLUMNS, type DeviceCredentialRow } from '@libs/projections';
import type { PartitionRange } from './topic-snapshot.reader';

/** Every column the projection derives, in the live table's order. */
export const VIEW_COLUMNS = DEVICE_CREDENTIAL_COLUMNS;

/** Marks a schema as the audit tool's own, so `recreate` never drops one it did not create. */
const OWNER_MARK = 'audit replay projection (npm run audit -- replay); safe to drop';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const RESERVED = /^(public|information_schema|pg_.*)$/;

/** Why a schema name cannot hold a replay; null when it can. */
export function schemaNameProblem(name: string): string | null {
  if (!SCHEMA_NAME.test(name)) return `"${name}" is not a plain schema name (a-z, 0-9, _; at most 63)`;
  if (RESERVED.test(name)) return `"${name}" is not the audit tool's to recreate`;
  return null;
}

/**
 * The replayed projection: schema `<name>` with a `device_credentials` table shaped like the live
 * view, written only by the audit tool (the application's schema changes only through migrations).
 *
 * The table is UNLOGGED: it is rebuildable from the topic at any time, so it needs no WAL — no fsync
 * per batch (which also makes `synchronous_commit` moot for it), and a server crash merely empties it.
 * It keeps the primary key (the upserts need it) but not the live view's secondary indexes, which
 * would only slow a bulk load that is queried by id.
 */
export class ReplayTable {
  readonly table: string;
  private readonly upsertSql: string;
  private readonly loadSql: string;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
  ) {
    const problem = schemaNameProblem(schema);
    if (problem) throw new Error(problem);
    this.table = `"${schema}".device_credentials`;
    const columns = VIEW_COLUMNS.join(', ');
    const updates = VIEW_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    // One statement per batch: the rows travel as one JSON array (JSON.stringify is native and fast;
    // json, not jsonb, is parsed once without building a binary form).
    this.upsertSql = `INSERT INTO ${this.table} (${columns})
      SELECT ${columns} FROM json_populate_recordset(NULL::${this.table}, $1::json)
      ON CONFLICT (id) DO UPDATE SET ${updates}`;
    this.loadSql = `SELECT coalesce(json_agg(t), '[]'::json) AS rows FROM ${this.table} t WHERE t.id = ANY($1::text[])`;
  }

  /**
   * Drops and recreates the schema (empty table). Refuses a schema that exists without the audit
   * tool's mark: that one holds someone else's tables.
   */
  async recreate(): Promise<void> {
    const { rows } = await this.pool.query<{ comment: string | null }>(
      `SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1`,
      [this.schema],
    );
    if (rows.length > 0 && rows[0].comment !== OWNER_MARK) {
      throw new ForeignSchemaError(this.schema);
    }
    const schema = `"${this.schema}"`;
    await this.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await this.pool.query(`CREATE SCHEMA ${schema}`);
    await this.pool.query(`COMMENT ON SCHEMA ${schema} IS '${OWNER_MARK}'`);
    await this.pool.query(
      `CREATE UNLOGGED TABLE ${this.table}
         (LIKE device_credentials INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id))`,
    );
    await this.pool.query(
      `CREATE UNLOGGED TABLE ${schema}.replayed_offsets (
         topic text NOT NULL,
         partition integer NOT NULL,
         next_offset bigint NOT NULL,
         replayed_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (topic, partition))`,
    );
  }

  /** The replayed rows of these credentials (those not replayed yet are absent). */
  async load(ids: string[]): Promise<Map<string, DeviceCredentialRow>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ rows: DeviceCredentialRow[] }>(this.loadSql, [ids]);
    return new Map(rows[0].rows.map((row) => [row.id, row]));
  }

  async upsert(rows: DeviceCredentialRow[]): Promise<void> {
    if (rows.length > 0) await this.pool.query(this.upsertSql, [JSON.stringify(rows)]);
  }

  /** Records how far the topic was replayed (what `--compare` measures the live checkpoints against). */
  async recordOffsets(topic: string, ranges: PartitionRange[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO "${this.schema}".replayed_offsets (topic, partition, next_offset)
       SELECT $1, * FROM unnest($2::int[], $3::bigint[])`,
      [topic, ranges.map((r) => r.partition), ranges.map((r) => r.end.toString())],
    );
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table}`);
    return Number(rows[0].n);
  }
}

/** The schema named for the replay exists and is not one the audit tool created. */
export class ForeignSchemaError extends Error {
  constructor(readonly schema: string) {
    super(
      `schema "${schema}" exists and was not created by audit replay: refusing to drop it ` +
        `(choose another --into, or drop it yourself)`,
    );
    this.name = 'ForeignSchemaError';
  }
}
