import { createHash, createPublicKey } from 'node:crypto';
import { exportJWK } from 'jose';
import { generateKeyPairFor, importSigningKey, importVerificationKey } from './signing-key';

// RFC 7638 §3.2, computed independently of jose: SHA-256 of the required members in lexicographic order.
const thumbprint = (jwk: Record<string, unknown>, members: string[]) =>
  createHash('sha256')
    .update(JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]]))))
    .digest('base64url');

describe('signing keys', () => {
  it('generates a 2048-bit RSA key for RS256, named by its RFC 7638 thumbprint', async () => {
    const key = await generateKeyPairFor('RS256');
    expect(key.kid).toBe(thumbprint(key.publicJwk, ['e', 'kty', 'n']));
    expect(key.publicJwk).toMatchObject({ kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig' });
    expect(key.publicJwk).not.toHaveProperty('d');
    expect(key.privateJwk).toHaveProperty('d');
    const details = createPublicKey({ key: key.publicJwk as never, format: 'jwk' }).asymmetricKeyDetails;
    expect(details?.modulusLength).toBe(2048);
  });

  it('generates a P-256 key for ES256, named by its RFC 7638 thumbprint', async () => {
    const key = await generateKeyPairFor('ES256');
    expect(key.kid).toBe(thumbprint(key.publicJwk, ['crv', 'kty', 'x', 'y']));
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: key.kid, alg: 'ES256', use: 'sig' });
  });

  it('gives every key its own kid', async () => {
    const [a, b] = await Promise.all([generateKeyPairFor('ES256'), generateKeyPairFor('ES256')]);
    expect(a.kid).not.toBe(b.kid);
  });

  it('holds private keys in memory as non-extractable', async () => {
    const key = await generateKeyPairFor('ES256');
    expect(key.privateKey.extractable).toBe(false);
    const imported = await importSigningKey(key.kid, 'ES256', key.privateJwk);
    expect(imported.privateKey.extractable).toBe(false);
    await expect(exportJWK(imported.privateKey)).rejects.toThrow(/non-extractable/);
  });

  it('imports a stored public JWK with its kid and retirement time', async () => {
    const key = await generateKeyPairFor('RS256');
    const retireAfter = new Date('2030-01-01T00:00:00Z');
    const imported = await importVerificationKey('RS256', key.publicJwk, retireAfter);
    expect(imported).toMatchObject({ kid: key.kid, alg: 'RS256', retireAfter });
    await expect(importVerificationKey('RS256', { ...key.publicJwk, kid: undefined })).rejects.toThrow(/kid/);
  });
});
