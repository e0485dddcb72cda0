import { deriveKey, SecretKeys, sealSecret } from '@libs/security';
import { openPrivateJwk, PrivateJwkDecryptionError, sealPrivateJwk } from './private-jwk-cipher';

describe('private JWK cipher', () => {
  const secret = 'server-secret-of-the-private-jwk-spec-0123456789';
  const keys = new SecretKeys(secret);
  const jwk = { kty: 'EC', crv: 'P-256', x: 'x-member', y: 'y-member', d: 'the-private-scalar' };
  const body = (sealed: string) => sealed.split('.')[2];

  it('seals to an opaque string naming its key id and version, and opens back to the same JWK', () => {
    const sealed = sealPrivateJwk(keys, 'kid-1', jwk);
    expect(sealed).toMatch(new RegExp(`^${keys.keyId}\\.v1\\.[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain('the-private-scalar');
    expect(Buffer.from(body(sealed), 'base64url').toString('latin1')).not.toContain('"d"');
    expect(openPrivateJwk(keys, 'kid-1', sealed)).toEqual(jwk);
  });

  it('uses a fresh IV each time', () => {
    expect(sealPrivateJwk(keys, 'kid-1', jwk)).not.toBe(sealPrivateJwk(keys, 'kid-1', jwk));
  });

  it('opens a key sealed before key ids, and one sealed under a previous server secret', () => {
    const legacy = sealSecret(deriveKey(secret, 'signing-key-encryption'), 'kid-1', JSON.stringify(jwk));
    expect(openPrivateJwk(keys, 'kid-1', legacy)).toEqual(jwk);
    const rotated = new SecretKeys('the-next-server-secret-of-the-spec-0123456789', [secret]);
    expect(openPrivateJwk(rotated, 'kid-1', sealPrivateJwk(keys, 'kid-1', jwk))).toEqual(jwk);
    expect(openPrivateJwk(rotated, 'kid-1', legacy)).toEqual(jwk);
  });

  it('refuses another secret, another kid, a flipped bit, a truncation and an unknown version', () => {
    const sealed = sealPrivateJwk(keys, 'kid-1', jwk);
    const bytes = Buffer.from(body(sealed), 'base64url');
    bytes[bytes.length - 1] ^= 1;
    const refusals = [
      () => openPrivateJwk(new SecretKeys('another-server-secret-of-the-spec-0123456789'), 'kid-1', sealed),
      () => openPrivateJwk(keys, 'kid-2', sealed),
      () => openPrivateJwk(keys, 'kid-1', `${keys.keyId}.v1.${bytes.toString('base64url')}`),
      () => openPrivateJwk(keys, 'kid-1', sealed.slice(0, 30)),
      () => openPrivateJwk(keys, 'kid-1', sealed.replace('.v1.', '.v2.')),
    ];
    for (const open of refusals) expect(open).toThrow(PrivateJwkDecryptionError);
  });
});
