import {
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

/** What a derived key is for; each purpose gets its own key, so one cannot stand in for another. */
export type KeyPurpose =
  | 'refresh-token-hash'
  | 'authorization-code-hash'
  | 'signing-key-encryption'
  | 'client-secret-encryption'
  | 'client-secret-hash'
  | 'csrf'
  | 'session'
  | 'audit-chain'
  | 'dpop-nonce';

/** Derives a 32-byte key for one purpose from the server secret (HKDF-SHA-256, RFC 5869). */
export function deriveKey(serverSecret: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'refresh-token-service', purpose, 32));
}

/**
 * The public name of a server secret: 8 hex digits of SHA-256 over an HKDF output of its own (info
 * `key-id`, no purpose's key). Stable across processes and restarts, distinct between secrets, and
 * telling nothing of the secret or of its keys: safe in logs, metrics and stored values.
 */
export function secretKeyId(serverSecret: string): string {
  const derived = Buffer.from(hkdfSync('sha256', serverSecret, 'refresh-token-service', 'key-id', 32));
  return createHash('sha256').update(derived).digest('hex').slice(0, 8);
}

/** HMAC-SHA-256 of `value`, base64url: how refresh tokens and codes are stored and carried in events. */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

/** An opaque bearer value with `bytes` bytes from the CSPRNG (32 bytes = 256 bits), base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Compares two strings in time that depends only on their length (no early exit on a mismatch). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

// scrypt with N=2^15, r=8, p=1 (OWASP's recommended minimum for scrypt): ~32 MiB, tens of ms per hash.
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const SCRYPT_KEYLEN = 32;

/**
 * Hashes a password with scrypt and a random salt: `scrypt$N$r$p$salt$hash`. (Client secrets are random and
 * take a keyed hash instead: `SecretKeys.clientSecretHash`.)
 */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, SCRYPT_KEYLEN, SCRYPT);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Checks a secret against `hashSecret`'s output, in constant time; false for a malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const params = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, params);
  return timingSafeEqual(actual, expected);
}
