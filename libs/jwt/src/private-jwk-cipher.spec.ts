import { randomBytes } from 'node:crypto';
import { openPrivateJwk, PrivateJwkDecryptionError, sealPrivateJwk } from './private-jwk-cipher';

describe('private JWK cipher', () => {
  const key = randomBytes(32);
  const jwk = { kty: 'EC', crv: 'P-256', x: 'x-member', y: 'y-member', d: 'the-private-scalar' };

  it('seals to a versioned opaque string and opens back to the same JWK', () => {
    const sealed = sealPrivateJwk(key, 'kid-1', jwk);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('the-private-scalar');
    expect(Buffer.from(sealed.slice(3), 'base64url').toString('latin1')).not.toContain('"d"');
    expect(openPrivateJwk(key, 'kid-1', sealed)).toEqual(jwk);
  });

  it('uses a fresh IV each time', () => {
    expect(sealPrivateJwk(key, 'kid-1', jwk)).not.toBe(sealPrivateJwk(key, 'kid-1', jwk));
  });

  it('refuses another key, another kid, a flipped bit, a truncation and an unknown version', () => {
    const sealed = sealPrivateJwk(key, 'kid-1', jwk);
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1] ^= 1;
    const refusals = [
      () => openPrivateJwk(randomBytes(32), 'kid-1', sealed),
      () => openPrivateJwk(key, 'kid-2', sealed),
      () => openPrivateJwk(key, 'kid-1', `v1.${bytes.toString('base64url')}`),
      () => openPrivateJwk(key, 'kid-1', sealed.slice(0, 30)),
      () => openPrivateJwk(key, 'kid-1', sealed.replace(/^v1/, 'v2')),
    ];
    for (const open of refusals) expect(open).toThrow(PrivateJwkDecryptionError);
  });
});
