import type { PoolClient, QueryResultRow } from 'pg';
import type { StreamTip } from './stream-tips';

/** A stream the topic holds in a state that appending to it cannot repair. */
export interface BrokenStream {
  stream_id: string;
  max_version: number;
  /** `gap`: an earlier version is missing; `foreign`: the topic's latest event is not the store's. */
  problem: 'gap' | 'foreign';
}

const TABLE = 'pg_temp.audit_topic_streams';

/**
 * What the target topic already holds, per stream: highest version, its hash, and whether a version
 * is missing below it. Kept in a temporary table on one connection, not in memory: the index grows
 * with the number of credentials, and the store is then joined against it in SQL.
 */
export class TopicIndex {
  constructor(private readonly client: PoolClient) {}

  async create(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await this.client.query(
      `CREATE TEMP TABLE audit_topic_streams (
         stream_id text PRIMARY KEY,
         first_version integer NOT NULL,
         max_version integer NOT NULL,
         tip_hash text NOT NULL,
         gap boolean NOT NULL)`,
    );
  }

  /**
   * Merges one batch's tips, in topic order: a batch whose first version is more than one above what
   * the index already has leaves a hole, as does a hole inside the batch.
   */
  async merge(tips: StreamTip[]): Promise<void> {
    if (tips.length === 0) return;
    await this.client.query(
      `INSERT INTO ${TABLE} AS t (stream_id, first_version, max_version, tip_hash, gap)
       SELECT stream_id, first_version, max_version, tip_hash, gap
       FROM json_to_recordset($1::json)
         AS x (stream_id text, first_version integer, max_version integer, tip_hash text, gap boolean)
       ON CONFLICT (stream_id) DO UPDATE SET
         gap = t.gap OR EXCLUDED.gap OR EXCLUDED.first_version > t.max_version + 1,
         tip_hash = CASE WHEN EXCLUDED.max_version > t.max_version THEN EXCLUDED.tip_hash ELSE t.tip_hash END,
         max_version = greatest(t.max_version, EXCLUDED.max_version)`,
      [JSON.stringify(tips)],
    );
  }

  /**
   * Streams that appending cannot fix, the first `limit` and how many in all: a hole below the
   * topic's highest version (appending the missing event would put it after a later one), or a
   * highest event the store does not have with that hash.
   */
  async broken(limit: number): Promise<{ total: number; first: BrokenStream[] }> {
    await this.client.query(`ANALYZE ${TABLE}`);
    const sql = `
      SELECT t.stream_id, t.max_version,
             CASE WHEN t.gap OR t.first_version > 1 THEN 'gap' ELSE 'foreign' END AS problem
      FROM ${TABLE} t
      LEFT JOIN events e ON e.stream_id = t.stream_id AND e.stream_version = t.max_version
      WHERE t.gap OR t.first_version > 1 OR e.hash IS DISTINCT FROM t.tip_hash`;
    const [count, first] = await Promise.all([
      this.client.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) b`),
      this.client.query<BrokenStream>(`${sql} ORDER BY 3 DESC, 1 LIMIT $1`, [limit]),
    ]);
    return { total: Number(count.rows[0].n), first: first.rows };
  }

  /** Of the store's events up to `last`, how many the topic already holds. */
  async present(last: string): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM events e JOIN ${TABLE} t USING (stream_id)
       WHERE e.global_position <= $1 AND e.stream_version <= t.max_version`,
      [last],
    );
    return Number(rows[0].n);
  }

  /** The store's events in (after, upTo] that the topic lacks, in global order. */
  async missing<R extends QueryResultRow>(columns: string, after: string, upTo: string): Promise<R[]> {
    const { rows } = await this.client.query<R>(
      `SELECT ${columns} FROM events e LEFT JOIN ${TABLE} t USING (stream_id)
       WHERE e.global_position > $1 AND e.global_position <= $2
         AND e.stream_version > coalesce(t.max_version, 0)
       ORDER BY e.global_position`,
      [after, upTo],
    );
    return rows;
  }

  async drop(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS ${TABLE}`);
  }
}
