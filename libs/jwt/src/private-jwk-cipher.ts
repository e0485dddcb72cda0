import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

// The version names the scheme (AES-256-GCM, 12-byte IV, 16-byte tag, kid as AAD) so that a later
// scheme can be introduced while rows sealed under this one still open.
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

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
 * Encrypts a private JWK for storage: `v1.` + base64url(iv ‖ tag ‖ ciphertext), AES-256-GCM.
 *
 * @example
 * const sealed = sealPrivateJwk(secretKeys.key('signing-key-encryption'), kid, privateJwk);
 */
export function sealPrivateJwk(key: Buffer, kid: string, jwk: JWK): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  // The kid as additional data binds the ciphertext to its row: copied onto another kid, it fails to open.
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

/** Decrypts `sealPrivateJwk`'s output; throws `PrivateJwkDecryptionError` when it does not authenticate. */
export function openPrivateJwk(key: Buffer, kid: string, sealed: string): JWK {
  const [version, body, ...rest] = sealed.split('.');
  if (version !== VERSION || body === undefined || rest.length > 0) throw new PrivateJwkDecryptionError(kid);
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) throw new PrivateJwkDecryptionError(kid);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plaintext = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
    return JSON.parse(plaintext.toString('utf8')) as JWK;
  } catch (cause) {
    throw new PrivateJwkDecryptionError(kid, { cause });
  }
}
