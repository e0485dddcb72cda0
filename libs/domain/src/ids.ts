/** Device-credential ids look like Auth0's: `dcr_` and 16 base62 characters. */
export const CREDENTIAL_ID = /^dcr_[0-9A-Za-z]{16}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Builds a credential id from random bytes supplied by the caller (the domain draws no randomness). */
export function credentialId(randomBytes: Uint8Array): string {
  if (randomBytes.length < 16) throw new RangeError('credentialId needs 16 random bytes');
  let id = 'dcr_';
  for (let i = 0; i < 16; i++) id += BASE62[randomBytes[i] % 62];
  return id;
}
