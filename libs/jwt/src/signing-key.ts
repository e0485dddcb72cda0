import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { SigningAlg } from './ports';

/** A key that signs new tokens: the private half, imported once and kept in memory. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: CryptoKey;
}

/** A key that verifies tokens (current or previous), with the time after which it no longer does. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly publicKey: CryptoKey;
  /** The public JWK as published in the JWKS (`kid`, `alg`, `use: 'sig'` included). */
  readonly publicJwk: JWK;
  /** Unset while the key is current; once rotated, the instant its tokens have all expired. */
  readonly retireAfter?: Date;
}

/** A freshly generated key pair with both halves as JWKs (for storage) and as imported keys (for use). */
export interface GeneratedKeyPair extends SigningKey, VerificationKey {
  /** Contains the private members (`d`, …): encrypt before it leaves the process. */
  readonly privateJwk: JWK;
}

// RFC 7518 §3.3: RS256 needs at least 2048 bits; §3.4: ES256 is ECDSA on P-256.
const GENERATE_OPTIONS: Record<SigningAlg, { modulusLength?: number; crv?: string }> = {
  RS256: { modulusLength: 2048 },
  ES256: { crv: 'P-256' },
};

/**
 * Generates a key pair for `alg`; its `kid` is the RFC 7638 JWK thumbprint of the public key.
 *
 * @example
 * const key = await generateKeyPairFor('ES256');
 * key.publicJwk; // { kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' }
 */
export async function generateKeyPairFor(alg: SigningAlg): Promise<GeneratedKeyPair> {
  const pair = await generateKeyPair(alg, { ...GENERATE_OPTIONS[alg], extractable: true });
  const publicMembers = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicMembers, 'sha256');
  const privateJwk = await exportJWK(pair.privateKey);
  // The pair is re-imported from its JWKs so that the private key held in memory is not extractable.
  const privateKey = (await importJWK(privateJwk, alg, { extractable: false })) as CryptoKey;
  return {
    kid,
    alg,
    privateKey,
    publicKey: pair.publicKey,
    publicJwk: { ...publicMembers, kid, alg, use: 'sig' },
    privateJwk,
  };
}

/** Imports a stored public JWK as a verification key. */
export async function importVerificationKey(
  alg: SigningAlg,
  publicJwk: JWK,
  retireAfter?: Date,
): Promise<VerificationKey> {
  const kid = publicJwk.kid;
  if (!kid) throw new TypeError('A stored public JWK must carry its kid');
  return { kid, alg, publicKey: (await importJWK(publicJwk, alg)) as CryptoKey, publicJwk, retireAfter };
}

/** Imports a decrypted private JWK as a signing key (not extractable). */
export async function importSigningKey(kid: string, alg: SigningAlg, privateJwk: JWK): Promise<SigningKey> {
  return { kid, alg, privateKey: (await importJWK(privateJwk, alg, { extractable: false })) as CryptoKey };
}
