import { decodeProtectedHeader, jwtVerify } from 'jose';
import { InMemoryKeyStore } from './in-memory-key-store';
import { JoseTokenSigner } from './jose-token-signer';
import { JoseTokenVerifier } from './jose-token-verifier';
import { TokenVerificationError } from './ports';

describe('HS256 with a provided key (a client secret)', () => {
  const issuer = 'https://tenant.example.com/';
  const audience = 'client-1';
  const secret = new TextEncoder().encode('s'.repeat(64));
  let signer: JoseTokenSigner;
  let verifier: JoseTokenVerifier;

  beforeAll(async () => {
    const keys = await InMemoryKeyStore.create();
    signer = new JoseTokenSigner(keys, issuer);
    verifier = new JoseTokenVerifier(keys, issuer);
  });

  const signHs256 = (key = secret) =>
    signer.sign({ sub: 'auth0|1', aud: audience }, { alg: 'HS256', key, lifetimeSeconds: 600 });

  it('signs with the provided key and names no tenant kid', async () => {
    const signed = await signHs256();
    expect(signed.kid).toBeUndefined();
    expect(decodeProtectedHeader(signed.token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    await expect(jwtVerify(signed.token, secret, { issuer, audience })).resolves.toBeDefined();
  });

  it('refuses a key shorter than 256 bits', async () => {
    await expect(signHs256(new Uint8Array(16))).rejects.toThrow(RangeError);
  });

  it('verifies an HS256 token only with the key the caller provides', async () => {
    const { token } = await signHs256();
    await expect(verifier.verify(token, { audience, hs256Key: secret })).resolves.toMatchObject({
      sub: 'auth0|1',
    });
    await expect(verifier.verify(token, { audience })).rejects.toBeInstanceOf(TokenVerificationError);
    const other = new TextEncoder().encode('t'.repeat(64));
    await expect(verifier.verify(token, { audience, hs256Key: other })).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
    });
  });

  it('still verifies tenant-signed tokens by kid when an HS256 key is offered', async () => {
    const { token } = await signer.sign(
      { sub: 'auth0|1', aud: audience },
      { alg: 'RS256', lifetimeSeconds: 600 },
    );
    await expect(verifier.verify(token, { audience, hs256Key: secret })).resolves.toMatchObject({
      sub: 'auth0|1',
    });
  });

  it('refuses garbage as a token, not as an unexpected error', async () => {
    await expect(verifier.verify('not-a-jwt', { audience, hs256Key: secret })).rejects.toBeInstanceOf(
      TokenVerificationError,
    );
  });
});
