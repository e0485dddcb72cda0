import { randomBytes } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { KeyRing } from './key-ring';
import { TokenSigner, type SignedToken, type SignOptions } from './ports';

/**
 * Signs JWTs with jose and the in-memory current key (or, for HS256, the secret the caller provides): no
 * I/O per call, since signing is the hot path.
 *
 * @example
 * const signer = new JoseTokenSigner(keys, issuerFor(config));
 * const { token, jti } = await signer.sign({ sub: 'auth0|1', aud: 'client-1' }, { alg: 'RS256', lifetimeSeconds: 36_000 });
 */
export class JoseTokenSigner extends TokenSigner {
  /** `now` returns epoch milliseconds; tests pass a fixed clock. */
  constructor(
    private readonly keys: KeyRing,
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async sign(claims: JWTPayload, options: SignOptions): Promise<SignedToken> {
    const { alg, lifetimeSeconds, typ = 'JWT', notAfter } = options;
    if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
      throw new RangeError(`lifetimeSeconds must be a positive integer, got ${lifetimeSeconds}`);
    }
    // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
    if (options.alg === 'HS256' && options.key.length < 32) {
      throw new RangeError('An HS256 key must be at least 32 bytes');
    }
    const key =
      options.alg === 'HS256'
        ? { kid: undefined, privateKey: options.key }
        : this.keys.signingKey(options.alg);
    const iat = Math.floor(this.now() / 1000);
    const exp = cappedExp(iat, lifetimeSeconds, notAfter);
    // 128 bits from the CSPRNG: unique per token without coordination between instances.
    const jti = randomBytes(16).toString('base64url');
    // The signer's registered claims win over same-named members of `claims`.
    const token = await new SignJWT(claims)
      .setProtectedHeader(key.kid ? { alg, kid: key.kid, typ } : { alg, typ })
      .setIssuer(this.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.privateKey);
    return { token, jti, kid: key.kid, iat, exp };
  }
}

/** `iat + lifetimeSeconds`, or `notAfter` when that comes first; refused when it is not after `iat`. */
export function cappedExp(iat: number, lifetimeSeconds: number, notAfter?: number): number {
  const exp = notAfter === undefined ? iat + lifetimeSeconds : Math.min(iat + lifetimeSeconds, notAfter);
  if (exp <= iat) throw new RangeError(`The token would expire at ${exp}, not after its iat ${iat}`);
  return exp;
}
