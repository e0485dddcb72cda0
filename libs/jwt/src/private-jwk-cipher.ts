import type { JWK } from 'jose';
import { openSecret, sealSecret } from '@libs/security';

/** Refused ciphertext: tampered, sealed for another kid, or sealed under another `SERVER_SECRET`. */
export class PrivateJwkDecryptionError extends Error {
  static readonly code = 'ERR_SIGNING_KEY_DECRYPTION';
  readonly code = PrivateJwkDecryptionError.code;

  constructor(
    readonly kid: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot decrypt the private key of signing key ${kid} (was SERVER_SECRET changed?)`, options);
    this.name = 'PrivateJwkDecryptionError';
  }
}

/**
 * Encrypts a private JWK for storage with `sealSecret` (AES-256-GCM), the kid as additional data: copied
 * onto another kid, it fails to open.
 *
 * @example
 * const sealed = sealPrivateJwk(secretKeys.key('signing-key-encryption'), kid, privateJwk);
 */
export function sealPrivateJwk(key: Buffer, kid: string, jwk: JWK): string {
  return sealSecret(key, kid, JSON.stringify(jwk));
}

/** Decrypts `sealPrivateJwk`'s output; throws `PrivateJwkDecryptionError` when it does not authenticate. */
export function openPrivateJwk(key: Buffer, kid: string, sealed: string): JWK {
  try {
    return JSON.parse(openSecret(key, kid, sealed)) as JWK;
  } catch (cause) {
    throw new PrivateJwkDecryptionError(kid, { cause });
  }
}
