import { decodeJwt, decodeProtectedHeader } from 'jose';
import { InMemoryKeyStore } from './in-memory-key-store';
import { JoseTokenSigner } from './jose-token-signer';
import { KeyRing } from './key-ring';

describe('JoseTokenSigner', () => {
  const issuer = 'https://tenant.example.com/';
  const now = Date.UTC(2030, 0, 1, 12, 0, 0, 750);
  let keys: InMemoryKeyStore;
  let signer: JoseTokenSigner;

  beforeAll(async () => {
    keys = await InMemoryKeyStore.create();
    signer = new JoseTokenSigner(keys, issuer, () => now);
  });

  it('adds iss, iat, exp = iat + lifetime and a jti to the claims', async () => {
    const signed = await signer.sign(
      { sub: 'auth0|1', aud: 'client-1', scope: 'openid' },
      { alg: 'RS256', lifetimeSeconds: 36_000 },
    );
    const iat = Math.floor(now / 1000);
    expect(signed).toMatchObject({ iat, exp: iat + 36_000, kid: keys.signingKey('RS256').kid });
    expect(decodeJwt(signed.token)).toEqual({
      sub: 'auth0|1',
      aud: 'client-1',
      scope: 'openid',
      iss: issuer,
      iat,
      exp: iat + 36_000,
      jti: signed.jti,
    });
  });

  it('puts alg, kid and typ (JWT unless given) in the protected header', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const { token } = await signer.sign({}, { alg, lifetimeSeconds: 60 });
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: keys.signingKey(alg).kid, typ: 'JWT' });
    }
    const { token } = await signer.sign({}, { alg: 'ES256', lifetimeSeconds: 60, typ: 'at+jwt' });
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
  });

  it('gives each token its own 128-bit jti', async () => {
    const jtis = await Promise.all(
      Array.from({ length: 50 }, () => signer.sign({}, { alg: 'ES256', lifetimeSeconds: 60 })),
    ).then((tokens) => new Set(tokens.map((t) => t.jti)));
    expect(jtis.size).toBe(50);
    for (const jti of jtis) expect(Buffer.from(jti, 'base64url')).toHaveLength(16);
  });

  it('keeps its own iss, iat, exp and jti over same-named claims', async () => {
    const signed = await signer.sign(
      { iss: 'https://evil.example/', iat: 1, exp: 9_999_999_999, jti: 'chosen' },
      { alg: 'RS256', lifetimeSeconds: 60 },
    );
    expect(decodeJwt(signed.token)).toMatchObject({
      iss: issuer,
      iat: signed.iat,
      exp: signed.iat + 60,
      jti: signed.jti,
    });
    expect(signed.jti).not.toBe('chosen');
  });

  it('never signs an exp past notAfter (a renewal cannot outlive the token it renews)', async () => {
    const iat = Math.floor(now / 1000);
    const capped = await signer.sign(
      { sub: 'auth0|1' },
      { alg: 'RS256', lifetimeSeconds: 36_000, notAfter: iat + 60 },
    );
    expect([capped.exp, decodeJwt(capped.token).exp]).toEqual([iat + 60, iat + 60]);
    const uncapped = await signer.sign(
      { sub: 'auth0|1' },
      { alg: 'RS256', lifetimeSeconds: 600, notAfter: iat + 6_000 },
    );
    expect(uncapped.exp).toBe(iat + 600);
  });

  it('refuses to sign a token that would already be expired', async () => {
    const iat = Math.floor(now / 1000);
    await expect(
      signer.sign({ sub: 'auth0|1' }, { alg: 'RS256', lifetimeSeconds: 600, notAfter: iat }),
    ).rejects.toThrow(RangeError);
  });

  it('refuses a lifetime that is not a positive whole number of seconds', async () => {
    for (const lifetimeSeconds of [0, -1, 1.5, Number.NaN]) {
      await expect(signer.sign({}, { alg: 'RS256', lifetimeSeconds })).rejects.toThrow(RangeError);
    }
  });

  it('signs from memory: never reloads the keys', async () => {
    const ring: KeyRing = {
      signingKey: (alg) => keys.signingKey(alg),
      verificationKey: () => undefined,
      reload: jest.fn(),
    };
    await new JoseTokenSigner(ring, issuer).sign({}, { alg: 'RS256', lifetimeSeconds: 60 });
    expect(ring.reload).not.toHaveBeenCalled();
  });
});
