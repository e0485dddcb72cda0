import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fills `previous_token_hash`, `previous_retired_at` and `retry_count` of the rows of rotated families from
 * the events each row reflects, as `retirementAfter` folds them: the previous token is the one the last
 * rotation presented, retired at the first rotation of the last run presenting it, retried once per
 * further rotation of that run.
 */
export const BACKFILL_PREVIOUS_TOKEN = `
  WITH rotations AS (
    SELECT e.stream_id, e.stream_version, e.data ->> 'previous_token_hash' AS presented,
           (e.data ->> 'rotated_at')::timestamptz AS rotated_at
      FROM events e JOIN device_credentials v ON v.id = e.stream_id AND e.stream_version <= v.version
     WHERE e.type = 'TokenRotated' AND v.rotation_count > 0),
  last AS (
    SELECT DISTINCT ON (stream_id) stream_id, presented FROM rotations ORDER BY stream_id, stream_version DESC),
  run_start AS (
    SELECT r.stream_id, max(r.stream_version) AS after
      FROM rotations r JOIN last l USING (stream_id) WHERE r.presented <> l.presented GROUP BY r.stream_id),
  run AS (
    SELECT r.stream_id, l.presented, min(r.rotated_at) AS retired_at, count(*) - 1 AS retries
      FROM rotations r JOIN last l USING (stream_id) LEFT JOIN run_start s USING (stream_id)
     WHERE r.stream_version > coalesce(s.after, 0)
     GROUP BY r.stream_id, l.presented)
  UPDATE device_credentials v
     SET previous_token_hash = run.presented, previous_retired_at = run.retired_at, retry_count = run.retries
    FROM run WHERE v.id = run.stream_id`;

/**
 * Issue 19 findings 1 and 5: a rotating family's view row is a snapshot the decider can decide on.
 *
 * - `device_credentials` keeps, beside the current token (`token_hash`), the immediately previous token,
 *   when it was first retired and how many times it was retried since: the whole of what the rotation
 *   rules need, so a token the row does not know (a retired one) is decided from the row and its newer
 *   events instead of a fold of the stream from version 1. Existing rows are filled from the events they
 *   reflect (the last run of rotations presenting the same token, as `retirementAfter` folds them).
 * - A client's `leeway` is capped at `MAX_LEEWAY` (300 s): stored policies above it are lowered to it.
 */
export class TrackPreviousRefreshToken1764101800000 implements MigrationInterface {
  name = 'TrackPreviousRefreshToken1764101800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE device_credentials
        ADD COLUMN previous_token_hash text,
        ADD COLUMN previous_retired_at timestamptz,
        ADD COLUMN retry_count integer NOT NULL DEFAULT 0`);
    await db.query(BACKFILL_PREVIOUS_TOKEN);
    await db.query(`
      UPDATE clients SET refresh_token = jsonb_set(refresh_token, '{leeway}', '300')
       WHERE jsonb_typeof(refresh_token -> 'leeway') = 'number' AND (refresh_token ->> 'leeway')::numeric > 300`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE device_credentials
        DROP COLUMN previous_token_hash, DROP COLUMN previous_retired_at, DROP COLUMN retry_count`);
  }
}
