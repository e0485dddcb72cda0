import { deriveKey } from '@libs/security';
import {
  isExpired,
  isSessionToken,
  newSessionToken,
  SESSION_TTL_SECONDS,
  sessionExpiry,
  sessionHash,
} from './session-token';

describe('dashboard session tokens', () => {
  const key = deriveKey('s'.repeat(40), 'session');

  it('are 256-bit random values that never repeat', () => {
    const tokens = new Set(Array.from({ length: 500 }, newSessionToken));
    expect(tokens.size).toBe(500);
    for (const token of tokens) {
      expect(isSessionToken(token)).toBe(true);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
  });

  it('recognise only the shape we issue', () => {
    const token = newSessionToken();
    for (const value of [undefined, null, '', `${token}=`, token.slice(1), `${token.slice(1)}.`, [token]]) {
      expect(isSessionToken(value)).toBe(false);
    }
  });

  it('are stored as a keyed hash that names no token and differs per key', () => {
    const token = newSessionToken();
    const stored = sessionHash(key, token);
    expect(stored).toBe(sessionHash(key, token));
    expect(stored).not.toContain(token);
    expect(sessionHash(key, newSessionToken())).not.toBe(stored);
    expect(sessionHash(deriveKey('t'.repeat(40), 'session'), token)).not.toBe(stored);
  });

  it('expire 8 hours after the login, the last instant included', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const expiresAt = sessionExpiry(now);
    expect(SESSION_TTL_SECONDS).toBe(8 * 3600);
    expect(expiresAt.toISOString()).toBe('2026-11-25T18:00:00.000Z');
    expect(isExpired(expiresAt, new Date('2026-11-25T17:59:59.999Z'))).toBe(false);
    expect(isExpired(expiresAt, expiresAt)).toBe(true);
    expect(isExpired(expiresAt, new Date('2026-11-26T00:00:00Z'))).toBe(true);
  });
});
