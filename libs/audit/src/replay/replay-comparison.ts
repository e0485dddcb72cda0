import type { Pool } from 'pg';
import { VIEW_COLUMNS } from './replay-table';

/** One cell that differs, or a row present on one side only (`column` = "(row)"). */
export interface Difference {
  id: string;
  column: string;
  live: string | null;
  replayed: string | null;
}

/** How far the live projector had got, per partition, against what the replay read. */
export interface PartitionLag {
  partition: number;
  /** The live projector's checkpoint (next offset to apply); null when it has none. */
  live: string | null;
  replayed: string;
}

export interface Comparison {
  liveRows: number;
  replayedRows: number;
  /** Credentials with at least one difference. */
  differingCredentials: number;
  differingCells: number;
  /** The first differences, ordered by credential id then column. */
  first: Difference[];
  /** Partitions where the live checkpoint is not at the replayed end (the view lags or is ahead). */
  lag: PartitionLag[];
}

const ROW = '(row)';

// Every derived column, as text on both sides (same session time zone, so equal text ⇔ equal value);
// a credential on one side only is one "(row)" difference rather than fifteen.
const DIFF_SQL = (replayed: string) => `
  SELECT coalesce(l.id, r.id) AS id, d.name AS "column", d.live, d.replayed
  FROM device_credentials l
  FULL OUTER JOIN ${replayed} r ON r.id = l.id
  CROSS JOIN LATERAL (
    SELECT '${ROW}', CASE WHEN l.id IS NULL THEN 'absent' ELSE 'present' END,
                     CASE WHEN r.id IS NULL THEN 'absent' ELSE 'present' END
    WHERE l.id IS NULL OR r.id IS NULL
    UNION ALL
    SELECT * FROM (VALUES ${VIEW_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `('${c}', l.${c}::text, r.${c}::text)`)
      .join(', ')}) AS cells (name, live, replayed)
    WHERE l.id IS NOT NULL AND r.id IS NOT NULL AND cells.live IS DISTINCT FROM cells.replayed
  ) AS d (name, live, replayed)`;

/**
 * Diffs the replayed table against the live `device_credentials` in SQL (FULL OUTER JOIN on the id,
 * IS DISTINCT FROM per column), returning counts and the first `limit` differences.
 */
export async function compareWithLive(
  pool: Pool,
  schema: string,
  topic: string,
  projection: string,
  limit = 20,
): Promise<Comparison> {
  const replayed = `"${schema}".device_credentials`;
  const diff = DIFF_SQL(replayed);
  const [counts, first, lag] = await Promise.all([
    pool.query<{ live: string; replayed: string; credentials: string; cells: string }>(
      `SELECT (SELECT count(*) FROM device_credentials) AS live,
              (SELECT count(*) FROM ${replayed}) AS replayed,
              count(DISTINCT id) AS credentials, count(*) AS cells
       FROM (${diff}) AS diff`,
    ),
    pool.query<Difference>(`${diff} ORDER BY 1, 2 LIMIT $1`, [limit]),
    pool.query<{ partition: number; live: string | null; replayed: string }>(
      `SELECT o.partition, c.next_offset::text AS live, o.next_offset::text AS replayed
       FROM "${schema}".replayed_offsets o
       LEFT JOIN projection_checkpoints c
         ON c.projection = $1 AND c.topic = o.topic AND c.partition = o.partition
       WHERE o.topic = $2 AND c.next_offset IS DISTINCT FROM o.next_offset
         AND NOT (c.next_offset IS NULL AND o.next_offset = 0)
       ORDER BY o.partition`,
      [projection, topic],
    ),
  ]);
  const c = counts.rows[0];
  return {
    liveRows: Number(c.live),
    replayedRows: Number(c.replayed),
    differingCredentials: Number(c.credentials),
    differingCells: Number(c.cells),
    first: first.rows,
    lag: lag.rows,
  };
}

/** The comparison for people: the counts, then one line per difference. */
export function formatComparison(comparison: Comparison, schema: string): string[] {
  const { differingCells, differingCredentials, first } = comparison;
  const lines = [
    `compare: live device_credentials (${comparison.liveRows} rows) vs ${schema}.device_credentials ` +
      `(${comparison.replayedRows} rows)`,
  ];
  for (const p of comparison.lag) {
    lines.push(
      `  warning: partition ${p.partition}: the live projector's checkpoint is ${p.live ?? 'absent'}, ` +
        `the replay read up to ${p.replayed} — differences may be projection lag (or newer events), ` +
        `not corruption; compare again once the projector has caught up`,
    );
  }
  if (differingCells === 0) {
    lines.push('  identical');
    return lines;
  }
  lines.push(
    `  ${differingCells} difference(s) in ${differingCredentials} credential(s)` +
      (first.length < differingCells ? `; the first ${first.length}:` : ':'),
  );
  const idWidth = Math.max(...first.map((d) => d.id.length));
  const columnWidth = Math.max(...first.map((d) => d.column.length));
  for (const d of first) {
    lines.push(
      `  ${d.id.padEnd(idWidth)}  ${d.column.padEnd(columnWidth)}  live: ${show(d.live)}  replayed: ${show(d.replayed)}`,
    );
  }
  return lines;
}

const show = (value: string | null) => (value === null ? 'NULL' : JSON.stringify(value));
