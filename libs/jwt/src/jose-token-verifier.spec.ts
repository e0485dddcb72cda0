import { exportJWK, exportSPKI, SignJWT } from 'jose';
import { InMemoryKeyStore } from './in-memory-key-store';
import { JoseTokenSigner } from './jose-token-signer';
import { JoseTokenVerifier } from './jose-token-verifier';
import { KeyRing } from './key-ring';
import { TokenVerificationError, type SigningAlg } from './ports';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Resolves with the refusal's code; fails the test when the token is accepted. */
async function refusalCode(verifying: Promise<unknown>): Promise<string> {
  const error = await verifying.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenVerificationError);
  return (error as TokenVerificationError).code;
}

describe('JoseTokenVerifier', () => {
  const issuer = 'https://tenant.example.com/';
  const audience = 'client-1';
  let keys: InMemoryKeyStore;
  let signer: JoseTokenSigner;
  let verifier: JoseTokenVerifier;

  beforeAll(async () => {
    keys = await InMemoryKeyStore.create();
    signer = new JoseTokenSigner(keys, issuer);
    verifier = new JoseTokenVerifier(keys, issuer);
  });

  const sign = (alg: SigningAlg = 'RS256', claims: Record<string, unknown> = {}, typ?: string) =>
    signer.sign({ sub: 'auth0|1', aud: audience, ...claims }, { alg, lifetimeSeconds: 600, typ });

  describe('accepts', () => {
    it.each(['RS256', 'ES256'] as const)('a token it signed with %s', async (alg) => {
      const { token, jti } = await sign(alg);
      await expect(verifier.verify(token, { audience })).resolves.toMatchObject({
        sub: 'auth0|1',
        aud: audience,
        iss: issuer,
        jti,
      });
    });

    it('an audience among several, on either side', async () => {
      const { token } = await sign('ES256', { aud: ['api', audience] });
      await expect(verifier.verify(token, { audience })).resolves.toBeDefined();
      await expect(verifier.verify(token, { audience: ['other', 'api'] })).resolves.toBeDefined();
    });

    it('the required typ', async () => {
      const { token } = await sign('RS256', {}, 'at+jwt');
      await expect(verifier.verify(token, { audience, typ: 'at+jwt' })).resolves.toBeDefined();
    });

    it('until one second before exp', async () => {
      const signedAt = Date.UTC(2030, 0, 1);
      const { token, exp } = await new JoseTokenSigner(keys, issuer, () => signedAt).sign(
        { aud: audience },
        { alg: 'ES256', lifetimeSeconds: 60 },
      );
      const at = (seconds: number) => new JoseTokenVerifier(keys, issuer, () => seconds * 1000);
      await expect(at(exp - 1).verify(token, { audience })).resolves.toBeDefined();
      expect(await refusalCode(at(exp).verify(token, { audience }))).toBe('ERR_JWT_EXPIRED');
    });
  });

  describe('refuses', () => {
    it('an expired token', async () => {
      const { token } = await new JoseTokenSigner(keys, issuer, () => Date.now() - 3_600_000).sign(
        { aud: audience },
        { alg: 'RS256', lifetimeSeconds: 600 },
      );
      expect(await refusalCode(verifier.verify(token, { audience }))).toBe('ERR_JWT_EXPIRED');
    });

    it('a token for another audience', async () => {
      const { token } = await sign('RS256', { aud: 'client-2' });
      expect(await refusalCode(verifier.verify(token, { audience }))).toBe('ERR_JWT_CLAIM');
    });

    it('a token from another issuer, even signed with our key', async () => {
      const { token } = await new JoseTokenSigner(keys, 'https://tenant.example.com').sign(
        { aud: audience },
        { alg: 'RS256', lifetimeSeconds: 600 },
      );
      expect(await refusalCode(verifier.verify(token, { audience }))).toBe('ERR_JWT_CLAIM');
    });

    it('a token without the required typ', async () => {
      const { token } = await sign('RS256');
      expect(await refusalCode(verifier.verify(token, { audience, typ: 'at+jwt' }))).toBe('ERR_JWT_CLAIM');
    });

    it('a token without exp, even signed with our key', async () => {
      const key = keys.signingKey('ES256');
      const token = await new SignJWT({ aud: audience, iss: issuer })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuedAt()
        .sign(key.privateKey);
      expect(await refusalCode(verifier.verify(token, { audience }))).toBe('ERR_JWT_CLAIM');
    });

    it('an unsigned token (alg none) naming one of our kids', async () => {
      const { token } = await sign('RS256');
      const [, payload] = token.split('.');
      const header = { alg: 'none', kid: keys.signingKey('RS256').kid, typ: 'JWT' };
      for (const forged of [`${b64(header)}.${payload}.`, `${b64({ ...header, alg: 'None' })}.${payload}.`]) {
        expect(await refusalCode(verifier.verify(forged, { audience }))).toBe('ERR_JWT_ALG');
      }
    });

    it('an HS256 token keyed with our RSA public key (algorithm confusion)', async () => {
      const rsa = keys.verificationKey(keys.signingKey('RS256').kid)!;
      const secrets = [
        new TextEncoder().encode(await exportSPKI(rsa.publicKey)),
        new TextEncoder().encode(JSON.stringify(await exportJWK(rsa.publicKey))),
      ];
      for (const secret of secrets) {
        const forged = await new SignJWT({ sub: 'auth0|attacker', aud: audience, iss: issuer })
          .setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'JWT' })
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(secret);
        expect(await refusalCode(verifier.verify(forged, { audience }))).toBe('ERR_JWT_ALG');
      }
    });

    it('none and HS256 before looking up any key', async () => {
      const lookups: KeyRing = {
        signingKey: (alg) => keys.signingKey(alg),
        verificationKey: jest.fn((kid: string) => keys.verificationKey(kid)),
        reload: jest.fn(async () => undefined),
      };
      const kid = keys.signingKey('RS256').kid;
      const payload = b64({ aud: audience, iss: issuer, exp: Math.floor(Date.now() / 1000) + 600 });
      const forged = [
        `${b64({ alg: 'none', kid })}.${payload}.`,
        await new SignJWT({ aud: audience, iss: issuer })
          .setProtectedHeader({ alg: 'HS256', kid })
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new Uint8Array(32)),
      ];
      for (const token of forged) {
        expect(await refusalCode(new JoseTokenVerifier(lookups, issuer).verify(token, { audience }))).toBe(
          'ERR_JWT_ALG',
        );
      }
      expect(lookups.verificationKey).not.toHaveBeenCalled();
      expect(lookups.reload).not.toHaveBeenCalled();
    });

    it('a token whose header names another algorithm than its key', async () => {
      const es = keys.signingKey('ES256');
      const forged = await new SignJWT({ aud: audience, iss: issuer })
        .setProtectedHeader({ alg: 'ES256', kid: keys.signingKey('RS256').kid })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(es.privateKey);
      expect(await refusalCode(verifier.verify(forged, { audience }))).toBe('ERR_JWT_ALG');
    });

    it('a token signed by a key that is not ours (unknown kid)', async () => {
      const stranger = await InMemoryKeyStore.create();
      const { token } = await new JoseTokenSigner(stranger, issuer).sign(
        { aud: audience },
        { alg: 'RS256', lifetimeSeconds: 600 },
      );
      expect(await refusalCode(verifier.verify(token, { audience }))).toBe('ERR_JWKS_NO_MATCHING_KEY');
    });

    it('a token signed by a key that is not ours under one of our kids', async () => {
      const stranger = await InMemoryKeyStore.create();
      const forged = await new SignJWT({ aud: audience, iss: issuer })
        .setProtectedHeader({ alg: 'RS256', kid: keys.signingKey('RS256').kid })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(stranger.signingKey('RS256').privateKey);
      expect(await refusalCode(verifier.verify(forged, { audience }))).toBe('ERR_JWT_INVALID');
    });

    it('a token without a kid', async () => {
      const key = keys.signingKey('RS256');
      const token = await new SignJWT({ aud: audience, iss: issuer })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(key.privateKey);
      expect(await refusalCode(verifier.verify(token, { audience }))).toBe('ERR_JWKS_NO_MATCHING_KEY');
    });

    it.each(['RS256', 'ES256'] as const)('a %s token whose payload was changed', async (alg) => {
      const { token } = await sign(alg);
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const tampered = `${header}.${b64({ ...claims, sub: 'auth0|admin' })}.${signature}`;
      expect(await refusalCode(verifier.verify(tampered, { audience }))).toBe('ERR_JWT_INVALID');
    });

    it('a token whose signature was changed', async () => {
      const { token } = await sign('ES256');
      const signature = Buffer.from(token.split('.')[2], 'base64url');
      signature[0] ^= 1;
      const tampered = token.replace(/[^.]+$/, signature.toString('base64url'));
      expect(await refusalCode(verifier.verify(tampered, { audience }))).toBe('ERR_JWT_INVALID');
    });

    it('malformed tokens', async () => {
      const header = b64({ alg: 'RS256', kid: keys.signingKey('RS256').kid });
      const malformed = [
        '',
        'not-a-jwt',
        'a.b.c',
        'a.b',
        'e30.e30.e30.e30',
        `${b64('x')}.e30.`,
        `${header}.${b64('x')}.`,
      ];
      for (const token of malformed) {
        expect([token, await refusalCode(verifier.verify(token, { audience }))]).toEqual([
          token,
          'ERR_JWT_INVALID',
        ]);
      }
    });
  });

  describe('after a rotation', () => {
    const signWith = (store: InMemoryKeyStore, alg: SigningAlg) =>
      new JoseTokenSigner(store, issuer).sign({ aud: audience }, { alg, lifetimeSeconds: 600 });
    const publishedKids = async (store: InMemoryKeyStore) => (await store.jwks()).keys.map((k) => k.kid);

    it('still accepts tokens of the previous key before its retirement', async () => {
      const store = await InMemoryKeyStore.create({ retireAfterSeconds: 3_600 });
      const before = await signWith(store, 'RS256');
      const { kid, previousKid } = await store.rotate('RS256');
      expect(previousKid).toBe(before.kid);
      expect((await signWith(store, 'RS256')).kid).toBe(kid);
      expect(await publishedKids(store)).toEqual(expect.arrayContaining([kid, before.kid]));
      await expect(
        new JoseTokenVerifier(store, issuer).verify(before.token, { audience }),
      ).resolves.toBeDefined();
    });

    it('refuses tokens of the previous key once it is retired', async () => {
      const store = await InMemoryKeyStore.create({ retireAfterSeconds: 0 });
      const before = await signWith(store, 'ES256');
      await store.rotate('ES256');
      expect(await publishedKids(store)).not.toContain(before.kid);
      expect(await refusalCode(new JoseTokenVerifier(store, issuer).verify(before.token, { audience }))).toBe(
        'ERR_JWKS_NO_MATCHING_KEY',
      );
    });
  });

  describe('on an unknown kid', () => {
    const ringOver = (store: InMemoryKeyStore, reload: () => Promise<void>): KeyRing => ({
      signingKey: (alg) => store.signingKey(alg),
      verificationKey: (kid) => store.verificationKey(kid),
      reload: jest.fn(reload),
    });

    it('reloads the keys once, then finds a key another instance just made', async () => {
      const store = await InMemoryKeyStore.create();
      const stale = await InMemoryKeyStore.create();
      let current = stale;
      const ring: KeyRing = {
        signingKey: (alg) => current.signingKey(alg),
        verificationKey: (kid) => current.verificationKey(kid),
        reload: jest.fn(async () => void (current = store)),
      };
      const { token } = await new JoseTokenSigner(store, issuer).sign(
        { aud: audience },
        { alg: 'RS256', lifetimeSeconds: 600 },
      );
      await expect(new JoseTokenVerifier(ring, issuer).verify(token, { audience })).resolves.toBeDefined();
      expect(ring.reload).toHaveBeenCalledTimes(1);
    });

    it('reloads at most once per five seconds', async () => {
      const store = await InMemoryKeyStore.create();
      const ring = ringOver(store, async () => undefined);
      let now = Date.now();
      const throttled = new JoseTokenVerifier(ring, issuer, () => now);
      const stranger = await InMemoryKeyStore.create();
      const { token } = await new JoseTokenSigner(stranger, issuer).sign(
        { aud: audience },
        { alg: 'RS256', lifetimeSeconds: 600 },
      );
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () => refusalCode(throttled.verify(token, { audience }))),
      );
      expect(new Set(attempts)).toEqual(new Set(['ERR_JWKS_NO_MATCHING_KEY']));
      now += 4_999;
      await refusalCode(throttled.verify(token, { audience }));
      expect(ring.reload).toHaveBeenCalledTimes(1);
      now += 1;
      await refusalCode(throttled.verify(token, { audience }));
      expect(ring.reload).toHaveBeenCalledTimes(2);
    });

    it('lets a failed reload through as itself, not as a refused token', async () => {
      const store = await InMemoryKeyStore.create();
      const outage = new Error('connection refused');
      const failing = new JoseTokenVerifier(
        ringOver(store, () => Promise.reject(outage)),
        issuer,
      );
      const { token } = await new JoseTokenSigner(await InMemoryKeyStore.create(), issuer).sign(
        { aud: audience },
        { alg: 'ES256', lifetimeSeconds: 600 },
      );
      await expect(failing.verify(token, { audience })).rejects.toBe(outage);
    });
  });
});
