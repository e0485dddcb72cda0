import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { JWK } from 'jose';
import { QueryFailedError, type DataSource, type QueryRunner } from 'typeorm';
import type { SecretKeys } from '@libs/security';
import { KeyRing, stillVerifies } from './key-ring';
import { KeyStore, SIGNING_ALGS, type JsonWebKeySet, type SigningAlg } from './ports';
import { openPrivateJwk, sealPrivateJwk } from './private-jwk-cipher';
import {
  generateKeyPairFor,
  importSigningKey,
  importVerificationKey,
  type GeneratedKeyPair,
  type SigningKey,
  type VerificationKey,
} from './signing-key';

/** How often each instance rereads the keys, so that another instance's rotation reaches its signer. */
export const KEY_RELOAD_INTERVAL_MS = 30_000;

const ONE_CURRENT_PER_ALG = 'signing_keys_one_current_per_alg';
const UNIQUE_VIOLATION = '23505';

/** Access tokens (Management API, userinfo) live a day, like Auth0's. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 86_400;
/** Covers an instance that keeps signing with the old key until its next cache reload (every 30 s). */
export const ROTATION_GRACE_SECONDS = 60;

// Keys that verify: every current key, and previous keys until their retire_after.
const LIVE_KEYS = `status = 'current' OR (status = 'previous' AND retire_after > now())`;

interface SigningKeyRow {
  kid: string;
  alg: SigningAlg;
  status: 'current' | 'previous';
  public_jwk: JWK;
  private_jwk_encrypted: string;
  retire_after: Date | null;
}

type Queryable = Pick<QueryRunner, 'query'> | DataSource;

interface LoadedKeys {
  signing: ReadonlyMap<SigningAlg, SigningKey>;
  verification: ReadonlyMap<string, VerificationKey>;
}

/**
 * Signing keys in PostgreSQL (`signing_keys`), private halves encrypted under the server secret's
 * `signing-key-encryption` key, held in memory once loaded.
 * At boot it makes sure each algorithm has a current key; every instance then rereads the table every
 * {@link KEY_RELOAD_INTERVAL_MS}, and sooner when a verifier meets an unknown kid.
 *
 * @example
 * const store = new PostgresKeyStore(dataSource, secretKeys);
 * await store.onModuleInit(); // loads the keys, creating the missing ones
 * await store.rotate('RS256');
 */
export class PostgresKeyStore extends KeyStore implements KeyRing, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PostgresKeyStore.name);
  private keys: LoadedKeys = { signing: new Map(), verification: new Map() };
  private loadsStarted = 0;
  private loadApplied = 0;
  private reloading?: Promise<void>;
  private timer?: NodeJS.Timeout;

  /** `secrets`: the server secrets' keys that seal private JWKs at rest (`signing-key-encryption`). */
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretKeys,
    private readonly reloadIntervalMs = KEY_RELOAD_INTERVAL_MS,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.ensureCurrentKeys();
    this.timer = setInterval(() => {
      this.reload().catch((error: unknown) =>
        this.logger.warn({ msg: 'Reloading signing keys failed; keeping the loaded ones', error }),
      );
    }, this.reloadIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // The pool closes after this hook; a reload still using it must finish first.
    await this.reloading?.catch(() => undefined);
  }

  signingKey(alg: SigningAlg): SigningKey {
    const key = this.keys.signing.get(alg);
    if (!key) throw new Error(`No current ${alg} signing key is loaded (has the key store booted?)`);
    return key;
  }

  verificationKey(kid: string): VerificationKey | undefined {
    const key = this.keys.verification.get(kid);
    return key && stillVerifies(key) ? key : undefined;
  }

  reload(): Promise<void> {
    this.reloading ??= this.load().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  async jwks(): Promise<JsonWebKeySet> {
    // Read from the table rather than the cache: a key another instance just made is published at once.
    const rows = await this.dataSource.query<Pick<SigningKeyRow, 'public_jwk'>[]>(
      `SELECT public_jwk FROM signing_keys WHERE ${LIVE_KEYS} ORDER BY alg, status, created_at DESC`,
    );
    return { keys: rows.map((row) => row.public_jwk as Record<string, unknown>) };
  }

  async rotate(alg: SigningAlg): Promise<{ kid: string; previousKid?: string }> {
    // Generated before the transaction: RSA generation takes long enough to matter while holding a lock.
    const key = await generateKeyPairFor(alg);
    const previousKid = await this.dataSource.transaction(async ({ queryRunner }) => {
      const runner = queryRunner!;
      // Serialises rotations of one algorithm: a concurrent rotation waits, then rotates the key made here.
      await runner.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`signing_keys:${alg}`]);
      await runner.query(
        `UPDATE signing_keys SET status = 'retired'
          WHERE alg = $1 AND status = 'previous' AND retire_after <= now()`,
        [alg],
      );
      // The old key keeps verifying until every token it signed has expired: the longest id_token
      // lifetime any client has, or the access-token lifetime if longer, plus a grace period for
      // instances that sign with the old key until their next reload.
      const rotated = await runner.query(
        `UPDATE signing_keys
            SET status = 'previous', rotated_at = now(),
                retire_after = now() + interval '1 second' * (
                  greatest((SELECT coalesce(max(id_token_lifetime_seconds), 0) FROM clients), $2::int) + $3::int)
          WHERE alg = $1 AND status = 'current'
          RETURNING kid`,
        [alg, ACCESS_TOKEN_LIFETIME_SECONDS, ROTATION_GRACE_SECONDS],
        true,
      );
      await this.insertCurrent(runner, key);
      return (rotated.records as { kid: string }[])[0]?.kid;
    });
    this.logger.log({ msg: 'Rotated signing key', alg, kid: key.kid, previousKid });
    await this.load();
    return { kid: key.kid, previousKid };
  }

  private async ensureCurrentKeys(): Promise<void> {
    await this.load();
    const missing = SIGNING_ALGS.filter((alg) => !this.keys.signing.has(alg));
    if (missing.length === 0) return;
    for (const alg of missing) {
      const key = await generateKeyPairFor(alg);
      try {
        await this.insertCurrent(this.dataSource, key);
        this.logger.log({ msg: 'Created signing key', alg, kid: key.kid });
      } catch (error) {
        // Another instance booting at the same time inserted its key first; the reload below takes it.
        if (!isOneCurrentPerAlgViolation(error)) throw error;
      }
    }
    await this.load();
    for (const alg of SIGNING_ALGS) this.signingKey(alg);
  }

  private async insertCurrent(db: Queryable, key: GeneratedKeyPair): Promise<void> {
    await db.query(
      `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_encrypted, status)
       VALUES ($1, $2, $3::jsonb, $4, 'current')`,
      [
        key.kid,
        key.alg,
        JSON.stringify(key.publicJwk),
        sealPrivateJwk(this.secrets, key.kid, key.privateJwk),
      ],
    );
  }

  // Loads may overlap (the timer, a verifier, a rotation); a load only replaces the keys of a load that
  // started before it, so a slow, older read never overwrites a newer one.
  private async load(): Promise<void> {
    const started = ++this.loadsStarted;
    const rows = await this.dataSource.query<SigningKeyRow[]>(
      `SELECT kid, alg, status, public_jwk, private_jwk_encrypted, retire_after
         FROM signing_keys WHERE ${LIVE_KEYS}`,
    );
    const keys = await this.toKeys(rows);
    if (started > this.loadApplied) {
      this.loadApplied = started;
      this.keys = keys;
    }
  }

  // Keys already in memory are reused, so a reload costs one query and no decryption or import.
  private async toKeys(rows: SigningKeyRow[]): Promise<LoadedKeys> {
    const signing = new Map<SigningAlg, SigningKey>();
    const verification = new Map<string, VerificationKey>();
    for (const row of rows) {
      const retireAfter = row.retire_after ?? undefined;
      const known = this.keys.verification.get(row.kid);
      verification.set(
        row.kid,
        known ? { ...known, retireAfter } : await importVerificationKey(row.alg, row.public_jwk, retireAfter),
      );
      if (row.status !== 'current') continue;
      const loaded = this.keys.signing.get(row.alg);
      if (loaded?.kid === row.kid) {
        signing.set(row.alg, loaded);
        continue;
      }
      const privateJwk = openPrivateJwk(this.secrets, row.kid, row.private_jwk_encrypted);
      signing.set(row.alg, await importSigningKey(row.kid, row.alg, privateJwk));
      await this.resealUnderCurrentSecret(row);
    }
    return { signing, verification };
  }

  // A current key sealed under a previous server secret is sealed anew under the current one, so that
  // the previous secret can be retired without rotating the signing keys. Conditional on the stored
  // value: instances doing it at the same time write once. A failure leaves it to the next boot.
  private async resealUnderCurrentSecret(row: SigningKeyRow): Promise<void> {
    try {
      const resealed = this.secrets.reseal('signing-key-encryption', row.kid, row.private_jwk_encrypted);
      if (resealed === row.private_jwk_encrypted) return;
      await this.dataSource.query(
        `UPDATE signing_keys SET private_jwk_encrypted = $3 WHERE kid = $1 AND private_jwk_encrypted = $2`,
        [row.kid, row.private_jwk_encrypted, resealed],
      );
      this.logger.log({
        msg: 'Sealed a signing key anew under the current server secret',
        kid: row.kid,
        key_id: this.secrets.keyId,
      });
    } catch (error) {
      this.logger.warn({
        msg: 'Could not seal a signing key anew under the current server secret; a previous one still opens it',
        kid: row.kid,
        error,
      });
    }
  }
}

function isOneCurrentPerAlgViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { code, constraint } = error.driverError as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && constraint === ONE_CURRENT_PER_ALG;
}
