import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { DpopProofError, DpopProofsUnavailable, UseDpopNonce } from './dpop-errors';
import { DpopNonces } from './dpop-nonces';
import { DPOP_SIGNING_ALGS, DpopProofVerifier, type DpopRequest } from './dpop-proof.verifier';
import { DpopReplayCache, MemoryDpopReplayCache } from './dpop-replay-cache';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const POST: DpopRequest = { method: 'POST', url: TOKEN_URL };
const NONCE_WINDOW_MS = 300_000;

let now = 1_750_000_000_000;
const clock = () => now;
const nonces = new DpopNonces(Buffer.alloc(32, 7), { windowMs: NONCE_WINDOW_MS, now: clock });
const verifier = (cache: DpopReplayCache = new MemoryDpopReplayCache({ now: clock })) =>
  new DpopProofVerifier(cache, nonces, { now: clock });

let privateKey: CryptoKey;
let publicJwk: JWK;

interface ProofParts {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  alg?: string;
  key?: CryptoKey | Uint8Array;
}

/** A proof for `POST TOKEN_URL` now, signed with the test key; `parts` change one thing at a time. */
function proof({ header = {}, claims = {}, alg = 'ES256', key = privateKey }: ProofParts = {}) {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ htm: 'POST', htu: TOKEN_URL, iat, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: publicJwk, ...header })
    .sign(key);
}

async function expectRefused(result: Promise<unknown>, reason: RegExp): Promise<void> {
  const error = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DpopProofError);
  expect(error).toMatchObject({ error: 'invalid_dpop_proof', status: 400 });
  expect((error as Error).message).toMatch(reason);
}

async function nonceRefusal(result: Promise<unknown>): Promise<UseDpopNonce> {
  const error = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UseDpopNonce);
  return error as UseDpopNonce;
}

beforeAll(async () => {
  const keys = await generateKeyPair('ES256', { extractable: true });
  privateKey = keys.privateKey;
  publicJwk = await exportJWK(keys.publicKey);
});

describe('DpopProofVerifier', () => {
  describe('a valid proof', () => {
    it('passes and yields the RFC 7638 SHA-256 thumbprint of its key', async () => {
      // RFC 7638 §3.2: the required members of an EC key, in lexicographic order, without whitespace.
      const { crv, kty, x, y } = publicJwk;
      const members = JSON.stringify({ crv, kty, x, y });
      const thumbprint = createHash('sha256').update(members).digest('base64url');

      const result = await verifier().verify(await proof(), POST);

      expect(result).toEqual({ jkt: thumbprint, jwk: publicJwk });
    });

    it.each(DPOP_SIGNING_ALGS)('is accepted signed with %s', async (alg) => {
      const keys = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(keys.publicKey);
      const signed = await proof({ alg, key: keys.privateKey, header: { jwk } });

      await expect(verifier().verify(signed, POST)).resolves.toMatchObject({ jwk });
    });

    it('is accepted as the single value of a header list', async () => {
      await expect(verifier().verify([await proof()], POST)).resolves.toHaveProperty('jkt');
    });
  });

  describe('exactly one proof (§4.3 step 1)', () => {
    it('refuses a request without one', async () => {
      await expectRefused(verifier().verify(undefined, POST), /no DPoP proof/);
      await expectRefused(verifier().verify([], POST), /no DPoP proof/);
    });

    it('refuses two DPoP headers, as a list or as Node joins them', async () => {
      const [one, two] = [await proof(), await proof()];
      await expectRefused(verifier().verify([one, two], POST), /exactly one/);
      await expectRefused(verifier().verify(`${one}, ${two}`, POST), /exactly one/);
    });

    it('refuses what is not a JWT', async () => {
      await expectRefused(verifier().verify('not-a-jwt', POST), /not a JWT/);
    });
  });

  describe('the header (§4.3 steps 4–7)', () => {
    it('refuses a typ other than dpop+jwt', async () => {
      await expectRefused(verifier().verify(await proof({ header: { typ: 'JWT' } }), POST), /"typ"/);
    });

    it('refuses a symmetric algorithm', async () => {
      const signed = await proof({ alg: 'HS256', key: new Uint8Array(32).fill(1) });
      await expectRefused(verifier().verify(signed, POST), /"alg" must be one of/);
    });

    it('refuses an asymmetric algorithm outside the supported list', async () => {
      const keys = await generateKeyPair('ES384', { extractable: true });
      const jwk = await exportJWK(keys.publicKey);
      const signed = await proof({ alg: 'ES384', key: keys.privateKey, header: { jwk } });
      await expectRefused(verifier().verify(signed, POST), /"alg" must be one of/);
    });

    it('refuses a jwk holding the private key', async () => {
      const signed = await proof({ header: { jwk: await exportJWK(privateKey) } });
      await expectRefused(verifier().verify(signed, POST), /"jwk" header must be a public key/);
    });

    it('refuses a symmetric jwk', async () => {
      const signed = await proof({ header: { jwk: { kty: 'oct', k: 'c2VjcmV0' } } });
      await expectRefused(verifier().verify(signed, POST), /"jwk" header must be a public key/);
    });

    it('refuses a proof without a jwk', async () => {
      await expectRefused(
        verifier().verify(await proof({ header: { jwk: undefined } }), POST),
        /"jwk" header must be a public key/,
      );
    });

    it('refuses a signature made by another key than the jwk', async () => {
      const other = await generateKeyPair('ES256');
      await expectRefused(verifier().verify(await proof({ key: other.privateKey }), POST), /signature/);
    });
  });

  describe('the request it is bound to (§4.3 steps 8, 9)', () => {
    it('refuses another method', async () => {
      await expectRefused(verifier().verify(await proof(), { ...POST, method: 'GET' }), /"htm"/);
    });

    it('refuses another path or host', async () => {
      const signed = await proof();
      await expectRefused(verifier().verify(signed, { ...POST, url: `${TOKEN_URL}x` }), /"htu"/);
      await expectRefused(
        verifier().verify(signed, { ...POST, url: 'https://other.example.com/oauth/token' }),
        /"htu"/,
      );
    });

    it('refuses an htu that is not a URL', async () => {
      await expectRefused(verifier().verify(await proof({ claims: { htu: '/oauth/token' } }), POST), /"htu"/);
    });

    it('ignores query and fragment, and the case of scheme and host', async () => {
      const signed = await proof({ claims: { htu: 'HTTPS://Auth.Example.COM:443/oauth/token?a=1#top' } });
      await expect(verifier().verify(signed, { ...POST, url: `${TOKEN_URL}?b=2` })).resolves.toHaveProperty(
        'jkt',
      );
    });

    it('keeps the path case-sensitive', async () => {
      const signed = await proof({ claims: { htu: 'https://auth.example.com/OAuth/token' } });
      await expectRefused(verifier().verify(signed, POST), /"htu"/);
    });
  });

  describe('iat (§4.3 step 11)', () => {
    it('accepts a proof up to 60 seconds old or early', async () => {
      const iat = Math.floor(now / 1000);
      await expect(
        verifier().verify(await proof({ claims: { iat: iat - 60 } }), POST),
      ).resolves.toBeDefined();
      await expect(
        verifier().verify(await proof({ claims: { iat: iat + 60 } }), POST),
      ).resolves.toBeDefined();
    });

    it('refuses an older proof', async () => {
      const signed = await proof({ claims: { iat: Math.floor(now / 1000) - 61 } });
      await expectRefused(verifier().verify(signed, POST), /"iat"/);
    });

    it('refuses a proof from the future', async () => {
      const signed = await proof({ claims: { iat: Math.floor(now / 1000) + 61 } });
      await expectRefused(verifier().verify(signed, POST), /"iat"/);
    });

    it('refuses a proof without iat', async () => {
      await expectRefused(verifier().verify(await proof({ claims: { iat: undefined } }), POST), /"iat"/);
    });

    it('takes its window from the options', async () => {
      const strict = new DpopProofVerifier(new MemoryDpopReplayCache(), nonces, {
        now: clock,
        iatWindowSeconds: 5,
      });
      const signed = await proof({ claims: { iat: Math.floor(now / 1000) - 6 } });
      await expectRefused(strict.verify(signed, POST), /"iat"/);
    });
  });

  describe('jti (§4.3 step 12, §11.1)', () => {
    it('refuses a proof seen before', async () => {
      const v = verifier();
      const signed = await proof();
      await v.verify(signed, POST);
      await expectRefused(v.verify(signed, POST), /used before/);
    });

    it('refuses on one replica a proof another replica accepted (a shared cache)', async () => {
      const shared = new MemoryDpopReplayCache({ now: clock });
      const signed = await proof();
      await verifier(shared).verify(signed, POST);
      await expectRefused(verifier(shared).verify(signed, POST), /used before/);
    });

    it('keeps the jtis of different keys apart', async () => {
      const v = verifier();
      const other = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(other.publicKey);
      await v.verify(await proof({ claims: { jti: 'same' } }), POST);
      await expect(
        v.verify(await proof({ claims: { jti: 'same' }, key: other.privateKey, header: { jwk } }), POST),
      ).resolves.toMatchObject({ jwk });
    });

    it('does not use up the jti of a proof refused for another reason', async () => {
      const v = verifier();
      const signed = await proof();
      await expectRefused(v.verify(signed, { ...POST, method: 'GET' }), /"htm"/);
      await expect(v.verify(signed, POST)).resolves.toHaveProperty('jkt');
    });

    it('refuses a proof without jti', async () => {
      await expectRefused(verifier().verify(await proof({ claims: { jti: undefined } }), POST), /"jti"/);
    });
  });

  describe('issue 19 finding 13: the jti cache is never flushed and fails closed', () => {
    async function unavailable(result: Promise<unknown>): Promise<DpopProofsUnavailable> {
      const error = await result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DpopProofsUnavailable);
      expect(error).toMatchObject({ error: 'temporarily_unavailable', status: 503 });
      return error as DpopProofsUnavailable;
    }

    it('issue 19 finding 13: a full cache refuses new proofs (503) instead of forgetting one that could be replayed', async () => {
      const v = verifier(new MemoryDpopReplayCache({ maxEntries: 3, now: clock }));
      const first = await proof();
      await v.verify(first, POST);
      for (let i = 0; i < 2; i++) await v.verify(await proof(), POST);

      // A flood of fresh proofs cannot push the first one out: they are refused while it could be replayed.
      for (let i = 0; i < 5; i++) {
        const refused = await unavailable(v.verify(await proof(), POST));
        expect(Number(refused.headers['Retry-After'])).toBeGreaterThan(0);
      }
      await expectRefused(v.verify(first, POST), /used before/);
    });

    it('issue 19 finding 13: a proof is remembered until its iat leaves the window, then makes room', async () => {
      const start = now;
      const v = verifier(new MemoryDpopReplayCache({ maxEntries: 1, now: clock }));
      const first = await proof();
      await v.verify(first, POST);
      // Still acceptable by its iat (60 s late): still remembered.
      now = start + 60_000;
      await expectRefused(v.verify(first, POST), /used before/);
      const waiting = await unavailable(v.verify(await proof(), POST));
      // Room once the first proof's iat, window and the replicas' clock tolerance (5 s) have passed.
      expect(Number(waiting.headers['Retry-After'])).toBe(5);
      now = start + 65_001;
      await expect(v.verify(await proof(), POST)).resolves.toHaveProperty('jkt');
      // The forgotten proof is refused by its iat: forgetting it opened no replay.
      await expectRefused(v.verify(first, POST), /"iat"/);
    });

    it('issue 19 finding 13: a shared cache that cannot answer refuses the proof (503), never accepts it unchecked', async () => {
      class DownCache extends DpopReplayCache {
        firstUse(): Promise<boolean> {
          return Promise.reject(new DpopProofsUnavailable('down', 5));
        }
      }
      const refused = await unavailable(verifier(new DownCache()).verify(await proof(), POST));
      expect(refused.headers).toEqual({ 'Retry-After': '5' });
    });
  });

  describe('ath, when an access token is presented (§4.3 step 11, §4.2)', () => {
    const accessToken = 'eyJhbGciOiJFUzI1NiJ9.e30.sig';
    const withToken = { ...POST, accessToken };
    const ath = createHash('sha256').update(accessToken).digest('base64url');

    it('accepts the base64url SHA-256 of the token', async () => {
      await expect(verifier().verify(await proof({ claims: { ath } }), withToken)).resolves.toBeDefined();
    });

    it('refuses a proof without ath', async () => {
      await expectRefused(verifier().verify(await proof(), withToken), /no "ath"/);
    });

    it('refuses the hash of another token', async () => {
      const other = createHash('sha256').update(`${accessToken}x`).digest('base64url');
      await expectRefused(verifier().verify(await proof({ claims: { ath: other } }), withToken), /"ath"/);
    });
  });

  describe('nonce (§8)', () => {
    it('asks for a nonce when one is required and the proof has none, handing out a fresh one', async () => {
      const error = await nonceRefusal(verifier().verify(await proof(), POST, { nonceRequired: true }));

      expect(error).toMatchObject({ error: 'use_dpop_nonce', status: 400, nonce: nonces.issue() });
      expect(error.headers).toEqual({ 'DPoP-Nonce': nonces.issue() });
    });

    it('accepts a nonce of this window or the previous one', async () => {
      const current = await proof({ claims: { nonce: nonces.issue() } });
      await expect(verifier().verify(current, POST, { nonceRequired: true })).resolves.toBeDefined();

      const issued = nonces.issue();
      now += NONCE_WINDOW_MS;
      const previous = await proof({ claims: { nonce: issued } });
      await expect(verifier().verify(previous, POST, { nonceRequired: true })).resolves.toBeDefined();
    });

    it('refuses a stale nonce with a fresh one', async () => {
      const stale = nonces.issue();
      now += 2 * NONCE_WINDOW_MS;
      const error = await nonceRefusal(verifier().verify(await proof({ claims: { nonce: stale } }), POST));

      expect(error.nonce).toBe(nonces.issue());
      expect(error.nonce).not.toBe(stale);
    });

    it('refuses a nonce it never issued, even when none is required', async () => {
      await nonceRefusal(verifier().verify(await proof({ claims: { nonce: 'made-up' } }), POST));
    });
  });
});
