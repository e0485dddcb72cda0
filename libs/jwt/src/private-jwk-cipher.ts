import type { JWK } from 'jose';
import type { SecretKeys } from '@libs/security';

/** Refused ciphertext: tampered, sealed for another kid, or sealed under a server secret no longer accepted. */
export class PrivateJwkDecryptionError extends Error {
  static readonly code = 'ERR_SIGNING_KEY_DECRYPTION';
  readonly code = PrivateJwkDecryptionError.code;

  constructor(
    readonly kid: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot decrypt the private key of signing key ${kid} (was SERVER_SECRET changed without its previous value in SERVER_SECRETS_PREVIOUS?)`,
      options,
    );
    this.name = 'PrivateJwkDecryptionError';
  }
}

/**
 * Encrypts a private JWK for storage under the current server secret's `signing-key-encryption` key
 * (`SecretKeys.seal`: AES-256-GCM, prefixed with the secret's key id), the kid as additional data: copied
 * onto another kid, it fails to open.
 *
 * @example
 * const sealed = sealPrivateJwk(secretKeys, kid, privateJwk);
 */
export function sealPrivateJwk(keys: SecretKeys, kid: string, jwk: JWK): string {
  return keys.seal('signing-key-encryption', kid, JSON.stringify(jwk));
}

/**
 * Decrypts `sealPrivateJwk`'s output (or a value sealed before key ids, under any accepted secret);
 * throws `PrivateJwkDecryptionError` when it does not authenticate.
 */
export function openPrivateJwk(keys: SecretKeys, kid: string, sealed: string): JWK {
  try {
    return JSON.parse(keys.open('signing-key-encryption', kid, sealed)) as JWK;
  } catch (cause) {
    throw new PrivateJwkDecryptionError(kid, { cause });
  }
}
