import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KeyStore, SIGNING_ALGS, type SigningAlg } from '@libs/jwt';

/** A published signing key as `GET /api/v2/keys/signing` returns it (Auth0's flags, plus the public JWK). */
export interface SigningKeyView {
  kid: string;
  alg: string;
  /** Signs new tokens. */
  current: boolean;
  /** Rotated out: still verifies tokens it signed until `retire_after`. */
  previous: boolean;
  current_since?: string;
  current_until?: string;
  retire_after?: string;
  /** The public key as published at `/.well-known/jwks.json`. */
  jwk: Record<string, unknown>;
}

/** `POST /api/v2/keys/signing/rotate` response: Auth0's `{kid}` (RS256 unless `alg` says otherwise) and every rotation made. */
export interface RotationView {
  kid: string;
  rotated: Array<{ alg: SigningAlg; kid: string; previous_kid?: string }>;
}

interface KeyRow {
  kid: string;
  status: string;
  created_at: Date;
  rotated_at: Date | null;
  retire_after: Date | null;
}

/** Signing-key use cases: list the published keys with their lifecycle, rotate. */
@Injectable()
export class SigningKeysService {
  constructor(
    private readonly keys: KeyStore,
    private readonly db: DataSource,
  ) {}

  /** The keys of the JWKS, each with its lifecycle as recorded in `signing_keys`. */
  async list(): Promise<SigningKeyView[]> {
    const { keys } = await this.keys.jwks();
    const kids = keys.map((k) => String(k.kid));
    const rows = await this.db.query<KeyRow[]>(
      `SELECT kid, status, created_at, rotated_at, retire_after FROM signing_keys WHERE kid = ANY($1::text[])`,
      [kids],
    );
    const byKid = new Map(rows.map((r) => [r.kid, r]));
    return keys.map((jwk) => {
      const row = byKid.get(String(jwk.kid));
      return {
        kid: String(jwk.kid),
        alg: String(jwk.alg),
        current: row?.status === 'current',
        previous: row?.status === 'previous',
        ...(row ? { current_since: row.created_at.toISOString() } : {}),
        ...(row?.rotated_at ? { current_until: row.rotated_at.toISOString() } : {}),
        ...(row?.retire_after ? { retire_after: row.retire_after.toISOString() } : {}),
        jwk,
      };
    });
  }

  /** Makes a new key current for `alg`, or for every algorithm; previous keys keep verifying until retired. */
  async rotate(alg?: SigningAlg): Promise<RotationView> {
    const rotated: RotationView['rotated'] = [];
    for (const each of alg ? [alg] : SIGNING_ALGS) {
      const { kid, previousKid } = await this.keys.rotate(each);
      rotated.push({ alg: each, kid, ...(previousKid ? { previous_kid: previousKid } : {}) });
    }
    return { kid: rotated[0].kid, rotated };
  }
}
