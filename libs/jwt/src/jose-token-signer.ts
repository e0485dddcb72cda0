import { randomBytes } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { KeyRing } from './key-ring';
import { TokenSigner, type SignedToken, type SignOptions } from './ports';

/**
 * Signs JWTs with jose and the in-memory current key: no I/O per call, since signing is the hot path.
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

  async sign(
    claims: JWTPayload,
    { alg, lifetimeSeconds, typ = 'JWT', notAfter }: SignOptions,
  ): Promise<SignedToken> {
    if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
      throw new RangeError(`lifetimeSeconds must be a positive integer, got ${lifetimeSeconds}`);
    }
    const key = this.keys.signingKey(alg);
    const iat = Math.floor(this.now() / 1000);
    const exp = cappedExp(iat, lifetimeSeconds, notAfter);
    // 128 bits from the CSPRNG: unique per token without coordination between instances.
    const jti = randomBytes(16).toString('base64url');
    // The signer's registered claims win over same-named members of `claims`.
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg, kid: key.kid, typ })
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
