import {
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type CryptoKey,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { KeyRing } from './key-ring';
import { SIGNING_ALGS, TokenVerificationError, TokenVerifier, type VerifyOptions } from './ports';

// A token naming an unknown kid may come from a key another instance just made; reloading is bounded so
// that a stream of forged kids cannot turn into a stream of database reads.
const UNKNOWN_KID_RELOAD_INTERVAL_MS = 5_000;

/**
 * Verifies JWTs with jose against this tenant's own keys, chosen by `kid`; RS256 and ES256 — HS256 only
 * with the `hs256Key` the caller provides.
 * Besides the signature it checks `iss`, `aud`, `exp` (required, as is `iat`) and, when asked, `typ`.
 *
 * @example
 * const verifier = new JoseTokenVerifier(keys, issuerFor(config));
 * const claims = await verifier.verify(idToken, { audience: clientId }); // or TokenVerificationError
 */
export class JoseTokenVerifier extends TokenVerifier {
  private lastReloadAt = Number.NEGATIVE_INFINITY;
  private lastReload: Promise<void> = Promise.resolve();
  private readonly resolveKey = (header: JWTHeaderParameters) => this.keyFor(header);

  /** `now` returns epoch milliseconds; tests pass a fixed clock. */
  constructor(
    private readonly keys: KeyRing,
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async verify(token: string, { audience, typ, hs256Key }: VerifyOptions): Promise<JWTPayload> {
    try {
      // HS256 only with the caller's shared secret, and then HS256 only: a token cannot pick its key.
      const shared = hs256Key !== undefined && headerAlg(token) === 'HS256';
      const { payload } = await jwtVerify(token, shared ? hs256Key : this.resolveKey, {
        // Never taken from the token: this is what refuses `none` and HS256 signed with a public key.
        algorithms: shared ? ['HS256'] : [...SIGNING_ALGS],
        issuer: this.issuer,
        audience,
        typ,
        requiredClaims: ['exp', 'iat'],
        currentDate: new Date(this.now()),
      });
      return payload;
    } catch (error) {
      throw refusal(error);
    }
  }

  private async keyFor(header: JWTHeaderParameters): Promise<CryptoKey> {
    const { kid, alg } = header;
    if (typeof kid !== 'string' || kid === '') {
      throw new TokenVerificationError('ERR_JWKS_NO_MATCHING_KEY', 'The token names no "kid"');
    }
    let key = this.keys.verificationKey(kid);
    if (!key) {
      await this.reloadOnce();
      key = this.keys.verificationKey(kid);
    }
    if (!key) {
      throw new TokenVerificationError('ERR_JWKS_NO_MATCHING_KEY', `No key of this tenant has kid ${kid}`);
    }
    // RFC 8725 §3.1: the key decides the algorithm; a header naming another one is refused.
    if (key.alg !== alg) {
      throw new TokenVerificationError('ERR_JWT_ALG', `Key ${kid} is for ${key.alg}, the token says ${alg}`);
    }
    return key.publicKey;
  }

  // Callers within the interval share the last reload, its failure included: a database outage surfaces
  // as that error (a 5xx upstream), never as a refused token.
  private reloadOnce(): Promise<void> {
    const now = this.now();
    if (now - this.lastReloadAt >= UNKNOWN_KID_RELOAD_INTERVAL_MS) {
      this.lastReloadAt = now;
      this.lastReload = this.keys.reload();
    }
    return this.lastReload;
  }
}

/** The `alg` a token's header names, or undefined when it has no readable header (jose then refuses it). */
function headerAlg(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

/** Translates jose's refusals into `TokenVerificationError`; anything else is not about the token and passes. */
function refusal(error: unknown): unknown {
  if (error instanceof TokenVerificationError || !(error instanceof errors.JOSEError)) return error;
  switch (error.code) {
    case errors.JWTExpired.code:
      return new TokenVerificationError('ERR_JWT_EXPIRED', error.message);
    case errors.JWTClaimValidationFailed.code:
      return new TokenVerificationError('ERR_JWT_CLAIM', error.message);
    case errors.JOSEAlgNotAllowed.code:
      return new TokenVerificationError('ERR_JWT_ALG', error.message);
    case errors.JWKSNoMatchingKey.code:
      return new TokenVerificationError('ERR_JWKS_NO_MATCHING_KEY', error.message);
    default:
      return new TokenVerificationError('ERR_JWT_INVALID', error.message);
  }
}
