import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pgPool } from '@libs/database';

// Each insert also deletes a few rows that have expired (oldest first, skipping rows another insert is
// deleting, so that two inserts never wait on each other): the table holds about the tokens still alive,
// with no sweeper to run.
const RECORD = `
  WITH pruned AS (
    DELETE FROM issued_id_tokens WHERE jti IN (
      SELECT jti FROM issued_id_tokens WHERE expires_at < now()
      ORDER BY expires_at LIMIT 4 FOR UPDATE SKIP LOCKED))
  INSERT INTO issued_id_tokens (jti, client_id, user_id, expires_at) VALUES ($1, $2, $3, to_timestamp($4))`;

const RECORDED = `
  SELECT 1 FROM issued_id_tokens
  WHERE jti = $1 AND client_id = $2 AND user_id = $3 AND expires_at > now()`;

/**
 * The `issued_id_tokens` table: the `jti` of each id_token this service signed whose origin neither its
 * signature nor its credential shows (`IdTokenProvenance`), with its audience, user and end. One door to
 * the table; rows are never read after their token expired.
 */
@Injectable()
export class IssuedIdTokens {
  constructor(private readonly db: DataSource) {}

  /** Records a token signed for `clientId` (its `aud`) about `userId`, valid until `exp` (epoch seconds). */
  async record(token: { jti: string; exp: number }, clientId: string, userId: string): Promise<void> {
    await pgPool(this.db).query(RECORD, [token.jti, clientId, userId, token.exp]);
  }

  /** True when this service recorded `jti` for that audience and user, and the token has not expired. */
  async isRecorded(jti: string, clientId: string, userId: string): Promise<boolean> {
    // PostgreSQL text cannot hold NUL (the query would fail): no recorded token has such a claim.
    if ([jti, clientId, userId].some((value) => value.includes('\u0000'))) return false;
    const { rowCount } = await pgPool(this.db).query(RECORDED, [jti, clientId, userId]);
    return (rowCount ?? 0) > 0;
  }
}
