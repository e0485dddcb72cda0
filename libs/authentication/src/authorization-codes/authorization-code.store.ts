import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { randomToken, SecretKeys } from '@libs/security';

/** How long a code may wait for its exchange (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const AUTHORIZATION_CODE_TTL_SECONDS = 300;

/** What /authorize granted, waiting for the token endpoint. */
export interface AuthorizationGrant {
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  device: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  authTime: Date;
}

export interface StoredAuthorizationCode extends AuthorizationGrant {
  expiresAt: Date;
  /** The credential (refresh token) issued from this code, if any. */
  credentialId: string | null;
}

export type ConsumeResult =
  | { outcome: 'consumed'; code: StoredAuthorizationCode; codeHash: string }
  | { outcome: 'replayed'; code: StoredAuthorizationCode }
  | { outcome: 'expired' }
  | { outcome: 'unknown' };

interface CodeRow {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  device: string | null;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: 'S256' | null;
  auth_time: Date;
  expires_at: Date;
  consumed_at: Date | null;
  credential_id: string | null;
}

const fromRow = (r: CodeRow): StoredAuthorizationCode => ({
  clientId: r.client_id,
  userId: r.user_id,
  redirectUri: r.redirect_uri,
  scope: r.scope,
  device: r.device,
  nonce: r.nonce,
  codeChallenge: r.code_challenge,
  codeChallengeMethod: r.code_challenge_method,
  authTime: new Date(r.auth_time),
  expiresAt: new Date(r.expires_at),
  credentialId: r.credential_id,
});

/**
 * Authorization codes: 256-bit random values stored only as keyed hashes, single use. `consume` marks a
 * code used in the same statement that reads it, so two concurrent exchanges cannot both succeed.
 */
@Injectable()
export class AuthorizationCodeStore {
  constructor(
    private readonly db: DataSource,
    private readonly keys: SecretKeys,
  ) {}

  /** Stores a grant and returns the code to hand to the client (never stored itself). */
  async issue(grant: AuthorizationGrant): Promise<string> {
    const code = randomToken(32);
    await this.db.query(
      `INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, scope, device, nonce,
         code_challenge, code_challenge_method, auth_time, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(secs => $11))`,
      [
        this.keys.authorizationCodeHash(code),
        grant.clientId,
        grant.userId,
        grant.redirectUri,
        grant.scope,
        grant.device,
        grant.nonce,
        grant.codeChallenge,
        grant.codeChallengeMethod,
        grant.authTime,
        AUTHORIZATION_CODE_TTL_SECONDS,
      ],
    );
    return code;
  }

  /**
   * Marks the code used and returns its grant; says whether it was used before, expired or unknown.
   * `credentialId` is the id the caller will give the refresh token it may issue: recorded in the same
   * statement, so a replay arriving at any moment knows what to revoke.
   */
  async consume(code: string, credentialId: string): Promise<ConsumeResult> {
    // Under every accepted secret: a code issued just before SERVER_SECRET rotated still redeems.
    const codeHashes = this.keys.keyedHashes('authorization-code-hash', code);
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [consumed]: [CodeRow[], number] = await this.db.query(
      `UPDATE authorization_codes SET consumed_at = now(), credential_id = $2
        WHERE code_hash = ANY($1::text[]) AND consumed_at IS NULL AND expires_at > now()
        RETURNING *`,
      [codeHashes, credentialId],
    );
    if (consumed.length === 1) {
      return { outcome: 'consumed', code: fromRow(consumed[0]), codeHash: consumed[0].code_hash };
    }
    const [[row]]: [CodeRow[], number] = await this.db.query(
      `UPDATE authorization_codes SET replayed_at = coalesce(replayed_at, now())
        WHERE code_hash = ANY($1::text[]) AND consumed_at IS NOT NULL
        RETURNING *`,
      [codeHashes],
    );
    if (row) return { outcome: 'replayed', code: fromRow(row) };
    const [expired] = await this.db.query(
      'SELECT 1 FROM authorization_codes WHERE code_hash = ANY($1::text[])',
      [codeHashes],
    );
    return expired ? { outcome: 'expired' } : { outcome: 'unknown' };
  }

  /** True when the code was presented again after its exchange began (checked once tokens are issued). */
  async wasReplayed(codeHash: string): Promise<boolean> {
    const [row] = await this.db.query('SELECT replayed_at FROM authorization_codes WHERE code_hash = $1', [
      codeHash,
    ]);
    return Boolean(row?.replayed_at);
  }
}
