import { constantTimeEqual, deriveKey, hashSecret, keyedHash, randomToken, verifySecret } from './secrets';

describe('secrets', () => {
  const secret = 's'.repeat(40);

  it('derives a distinct 32-byte key per purpose, the same each time', () => {
    const a = deriveKey(secret, 'refresh-token-hash');
    expect(a).toHaveLength(32);
    expect(deriveKey(secret, 'refresh-token-hash').equals(a)).toBe(true);
    expect(deriveKey(secret, 'csrf').equals(a)).toBe(false);
    expect(deriveKey('t'.repeat(40), 'refresh-token-hash').equals(a)).toBe(false);
  });

  it('makes 256-bit random tokens that never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(Buffer.from(t, 'base64url')).toHaveLength(32);
  });

  it('hashes with a key: same input same hash, another key another hash', () => {
    const key = deriveKey(secret, 'refresh-token-hash');
    expect(keyedHash(key, 'token')).toBe(keyedHash(key, 'token'));
    expect(keyedHash(key, 'token')).not.toBe(keyedHash(deriveKey(secret, 'csrf'), 'token'));
    expect(keyedHash(key, 'token')).not.toContain('token');
  });

  it('compares strings exactly', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('hashes secrets with scrypt and a salt, and verifies them', async () => {
    const stored = await hashSecret('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored).not.toContain('correct horse');
    expect(await hashSecret('correct horse battery staple')).not.toBe(stored);
    await expect(verifySecret('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifySecret('wrong', stored)).resolves.toBe(false);
    await expect(verifySecret('x', 'not-a-hash')).resolves.toBe(false);
  });
});
