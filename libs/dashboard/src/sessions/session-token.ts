import { keyedHash, randomToken } from '@libs/security';

/** How long a dashboard session lasts from its login: a working day, then the administrator logs in again. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

// randomToken(32): 256 bits, base64url. A cookie of any other shape was not set by us.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new session's cookie value: 256 bits from the CSPRNG (OWASP Session Management: ≥ 64 bits of entropy). */
export function newSessionToken(): string {
  return randomToken(32);
}

/** Whether a cookie value has the shape of a session (or login form) token this service issues. */
export function isSessionToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/**
 * The stored form of a session token: HMAC-SHA-256 under the session key, so the sessions table (a backup,
 * a read replica) holds nothing a browser could present.
 */
export function sessionHash(key: Buffer, token: string): string {
  return keyedHash(key, token);
}

/** When a session started at `now` ends. */
export function sessionExpiry(now: Date): Date {
  return new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
}

/** Whether a session that ends at `expiresAt` is over at `now` (the end itself included). */
export function isExpired(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= now.getTime();
}
