import { SealedSecretError, sealSecret } from './sealed-secret';
import { SecretKeys } from './secret-keys';
import { deriveKey, keyedHash, secretKeyId, type KeyPurpose } from './secrets';

describe('SecretKeys across a rotation of SERVER_SECRET', () => {
  const A = 'the-old-server-secret-of-at-least-32-characters';
  const B = 'the-new-server-secret-of-at-least-32-characters';
  const C = 'an-older-server-secret-of-at-least-32-characters';
  const PURPOSES: KeyPurpose[] = [
    'refresh-token-hash',
    'authorization-code-hash',
    'signing-key-encryption',
    'client-secret-encryption',
    'client-secret-hash',
    'csrf',
    'session',
    'audit-chain',
    'dpop-nonce',
  ];
  const before = new SecretKeys(A);
  const after = new SecretKeys(B, [A]);
  const refusing = new SecretKeys(B);

  /** A store of values by keyed hash that records each look-up. */
  function store(entries: Record<string, string>) {
    const lookups: string[] = [];
    const find = async (hash: string) => {
      lookups.push(hash);
      return entries[hash] ?? null;
    };
    return { find, lookups };
  }

  describe('key ids', () => {
    it('are 8 hex digits, the same for a secret in every process and role, distinct between secrets', () => {
      expect(before.keyId).toMatch(/^[0-9a-f]{8}$/);
      expect(new SecretKeys(A).keyId).toBe(before.keyId);
      expect(secretKeyId(A)).toBe(before.keyId);
      expect(after.keyId).toBe(secretKeyId(B));
      expect(after.previousKeyIds).toEqual([before.keyId]);
      expect(new SecretKeys(B, [A, C]).previousKeyIds).toEqual([secretKeyId(A), secretKeyId(C)]);
      expect(new Set([secretKeyId(A), secretKeyId(B), secretKeyId(C)]).size).toBe(3);
    });

    it('reveal neither the secret nor any key derived from it', () => {
      const id = before.keyId;
      expect(A).not.toContain(id);
      expect(Buffer.from(A).toString('hex')).not.toContain(id);
      for (const purpose of PURPOSES) {
        const key = deriveKey(A, purpose);
        expect(key.toString('hex')).not.toContain(id);
        expect(key.toString('base64url')).not.toContain(id);
      }
    });

    it('refuse the same secret twice (current and previous, or previous twice)', () => {
      expect(() => new SecretKeys(A, [A])).toThrow(/distinct/);
      expect(() => new SecretKeys(B, [A, A])).toThrow(/distinct/);
    });
  });

  it('makes everything new under the current secret; accepts the current key first, then each previous', () => {
    for (const purpose of PURPOSES) {
      expect(after.key(purpose).equals(deriveKey(B, purpose))).toBe(true);
      expect(after.acceptedKeys(purpose).map(({ keyId }) => keyId)).toEqual([secretKeyId(B), secretKeyId(A)]);
      expect(after.acceptedKeys(purpose)[1].key.equals(deriveKey(A, purpose))).toBe(true);
    }
    expect(after.refreshTokenHash('token')).toBe(keyedHash(deriveKey(B, 'refresh-token-hash'), 'token'));
    expect(after.refreshTokenHash('token')).not.toBe(before.refreshTokenHash('token'));
    expect(after.authorizationCodeHash('code')).toBe(refusing.authorizationCodeHash('code'));
    expect(after.keyedHashes('session', 'cookie')).toEqual([
      refusing.keyedHashes('session', 'cookie')[0],
      before.keyedHashes('session', 'cookie')[0],
    ]);
  });

  describe('findByHash', () => {
    it('finds a token issued under the current secret with one hash and one look-up', async () => {
      const { find, lookups } = store({ [after.refreshTokenHash('new-token')]: 'dcr_new' });
      const uses: unknown[] = [];
      after.onPreviousKeyUse((use) => uses.push(use));
      await expect(after.findByHash('refresh-token-hash', 'new-token', find)).resolves.toEqual({
        found: 'dcr_new',
        hash: after.refreshTokenHash('new-token'),
      });
      expect(lookups).toHaveLength(1);
      expect(uses).toEqual([]);
    });

    it('finds a token issued before the rotation by the hash it was stored under, and says so', async () => {
      const oldHash = before.refreshTokenHash('old-token');
      const { find, lookups } = store({ [oldHash]: 'dcr_old' });
      const keys = new SecretKeys(B, [A]);
      const uses: unknown[] = [];
      keys.onPreviousKeyUse((use) => uses.push(use));
      await expect(keys.findByHash('refresh-token-hash', 'old-token', find)).resolves.toEqual({
        found: 'dcr_old',
        hash: oldHash,
      });
      expect(lookups).toEqual([keys.refreshTokenHash('old-token'), oldHash]);
      expect(uses).toEqual([{ purpose: 'refresh-token-hash', keyId: before.keyId }]);
    });

    it('without the old secret, refuses the old token as unknown', async () => {
      const { find } = store({ [before.refreshTokenHash('old-token')]: 'dcr_old' });
      await expect(refusing.findByHash('refresh-token-hash', 'old-token', find)).resolves.toBeNull();
    });

    it('tries every accepted key, in order, for a token nobody issued', async () => {
      const keys = new SecretKeys(B, [A, C]);
      const { find, lookups } = store({});
      await expect(keys.findByHash('refresh-token-hash', 'guess', find)).resolves.toBeNull();
      expect(lookups).toEqual(keys.keyedHashes('refresh-token-hash', 'guess'));
      expect(new Set(lookups).size).toBe(3);
    });
  });

  describe('sealed values', () => {
    it('name the key id of the secret they are sealed under, and open with it', () => {
      const sealed = after.seal('client-secret-encryption', 'client-1', 'the client secret');
      expect(sealed).toMatch(new RegExp(`^${after.keyId}\\.v1\\.[A-Za-z0-9_-]+$`));
      expect(sealed).not.toContain('the client secret');
      expect(after.open('client-secret-encryption', 'client-1', sealed)).toBe('the client secret');
      expect(refusing.openClientSecret('client-1', after.sealClientSecret('client-1', 'x'))).toBe('x');
    });

    it('sealed under the previous secret, still open after the rotation, and the use is told', () => {
      const sealed = before.sealClientSecret('client-1', 'the client secret');
      const keys = new SecretKeys(B, [A]);
      const uses: unknown[] = [];
      keys.onPreviousKeyUse((use) => uses.push(use));
      expect(keys.openClientSecret('client-1', sealed)).toBe('the client secret');
      expect(uses).toEqual([{ purpose: 'client-secret-encryption', keyId: before.keyId }]);
    });

    it('sealed under a secret no longer accepted, are refused naming its key id (not the secret)', () => {
      const sealed = before.sealClientSecret('client-1', 'the client secret');
      expect(() => refusing.openClientSecret('client-1', sealed)).toThrow(SealedSecretError);
      expect(() => refusing.openClientSecret('client-1', sealed)).toThrow(before.keyId);
    });

    it('sealed before key ids (`v1.…`), open under the current secret or a previous one', () => {
      const legacy = (secret: string) =>
        sealSecret(deriveKey(secret, 'client-secret-encryption'), 'client-1', 'the client secret');
      expect(after.openClientSecret('client-1', legacy(B))).toBe('the client secret');
      expect(after.openClientSecret('client-1', legacy(A))).toBe('the client secret');
      expect(() => refusing.openClientSecret('client-1', legacy(A))).toThrow(SealedSecretError);
    });

    it('refuse another context, another purpose, and a key id swapped for another accepted one', () => {
      const sealed = before.sealClientSecret('client-1', 'secret');
      expect(() => after.openClientSecret('client-2', sealed)).toThrow(SealedSecretError);
      expect(() => after.open('signing-key-encryption', 'client-1', sealed)).toThrow(SealedSecretError);
      const swapped = sealed.replace(before.keyId, after.keyId);
      expect(() => after.openClientSecret('client-1', swapped)).toThrow(SealedSecretError);
    });

    it('are sealed anew under the current secret when they are not already', () => {
      const old = before.sealClientSecret('client-1', 'the client secret');
      const resealed = after.reseal('client-secret-encryption', 'client-1', old);
      expect(resealed.startsWith(`${after.keyId}.`)).toBe(true);
      expect(refusing.openClientSecret('client-1', resealed)).toBe('the client secret');

      const current = after.sealClientSecret('client-1', 'the client secret');
      expect(after.reseal('client-secret-encryption', 'client-1', current)).toBe(current);
      const legacyCurrent = sealSecret(deriveKey(B, 'client-secret-encryption'), 'client-1', 'secret');
      expect(after.reseal('client-secret-encryption', 'client-1', legacyCurrent)).toBe(legacyCurrent);
      expect(() => refusing.reseal('client-secret-encryption', 'client-1', old)).toThrow(SealedSecretError);
    });
  });
});
