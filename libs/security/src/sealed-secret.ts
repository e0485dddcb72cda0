import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// The version names the scheme (AES-256-GCM, 12-byte IV, 16-byte tag, caller-chosen AAD) so that a later
// scheme can be introduced while values sealed under this one still open.
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Refused ciphertext: tampered, sealed for another `context`, or under another key. */
export class SealedSecretError extends Error {
  static readonly code = 'ERR_SEALED_SECRET';
  readonly code = SealedSecretError.code;

  /** `keyId`: the value names a server secret that is not among the accepted ones. */
  constructor(options?: { cause?: unknown; keyId?: string }) {
    super(
      options?.keyId
        ? `Cannot open a sealed secret: it is sealed under key id ${options.keyId}, neither SERVER_SECRET's nor one of SERVER_SECRETS_PREVIOUS`
        : 'Cannot open a sealed secret (tampered, moved to another row, or SERVER_SECRET changed)',
      options,
    );
    this.name = 'SealedSecretError';
  }
}

/**
 * Encrypts a secret for storage: `v1.` + base64url(iv ‖ tag ‖ ciphertext), AES-256-GCM. `context` is
 * authenticated additional data (e.g. the row's id): a value copied onto another row fails to open.
 *
 * @example
 * const sealed = sealSecret(secretKeys.key('client-secret-encryption'), clientId, clientSecret);
 */
export function sealSecret(key: Buffer, context: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

/** Decrypts `sealSecret`'s output; throws `SealedSecretError` when it does not authenticate. */
export function openSecret(key: Buffer, context: string, sealed: string): string {
  const [version, body, ...rest] = sealed.split('.');
  if (version !== VERSION || body === undefined || rest.length > 0) throw new SealedSecretError();
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) throw new SealedSecretError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch (cause) {
    throw new SealedSecretError({ cause });
  }
}
