import type { JWTPayload } from 'jose';

/** Algorithms this tenant signs with: RS256 (Auth0's default) and ES256. */
export type SigningAlg = 'RS256' | 'ES256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256'];

/**
 * The algorithms a client's id_tokens may use: the tenant's keys, or HS256 with the client's own secret
 * (Auth0's legacy default for confidential clients; never in the JWKS).
 */
export type IdTokenAlg = SigningAlg | 'HS256';
export const ID_TOKEN_ALGS: readonly IdTokenAlg[] = [...SIGNING_ALGS, 'HS256'];

interface CommonSignOptions {
  /** `exp = iat + lifetimeSeconds`. */
  lifetimeSeconds: number;
  /** Epoch seconds `exp` never passes (a renewal cannot outlive the token it renews). */
  notAfter?: number;
  /** JOSE header `typ` (e.g. `at+jwt` for access tokens); default `JWT`. */
  typ?: string;
}

/** With the tenant's current key for `alg`, or (HS256) with the shared secret the caller provides. */
export type SignOptions =
  | (CommonSignOptions & { alg: SigningAlg })
  | (CommonSignOptions & { alg: 'HS256'; key: Uint8Array });

export interface SignedToken {
  token: string;
  /** The `jti` claim the signer generated. */
  jti: string;
  /** The tenant key's id; absent for HS256, whose key is the client's secret. */
  kid?: string;
  iat: number;
  exp: number;
}

/** Signs JWTs with this tenant's current key for an algorithm. */
export abstract class TokenSigner {
  /** Adds `iss` (PUBLIC_URL + '/'), `iat`, `exp`, `jti` and the `kid` header to `claims` and signs them. */
  abstract sign(claims: JWTPayload, options: SignOptions): Promise<SignedToken>;
}

export interface VerifyOptions {
  /** The token's `aud` must contain this value (or one of these). */
  audience: string | string[];
  /** Required JOSE header `typ`, when the token kind has one. */
  typ?: string;
  /**
   * The shared secret an HS256 token is checked with (a client's secret, for its own HS256 id_tokens).
   * Without it HS256 tokens are refused.
   */
  hs256Key?: Uint8Array;
}

/** Why a token was refused; callers branch on `code`, never on the message. */
export class TokenVerificationError extends Error {
  constructor(
    readonly code:
      | 'ERR_JWT_INVALID'
      | 'ERR_JWT_EXPIRED'
      | 'ERR_JWT_CLAIM'
      | 'ERR_JWKS_NO_MATCHING_KEY'
      | 'ERR_JWT_ALG',
    message: string,
  ) {
    super(message);
    this.name = 'TokenVerificationError';
  }
}

/**
 * Verifies JWTs this tenant issued: its own keys only, by `kid`, RS256/ES256 — or HS256 only with the
 * `hs256Key` the caller provides; never `none`.
 */
export abstract class TokenVerifier {
  /** Resolves with the verified payload; rejects with `TokenVerificationError`. */
  abstract verify(token: string, options: VerifyOptions): Promise<JWTPayload>;
}

/** The public half of every key a relying party may need: current and previous keys. */
export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>;
}

/** Key lifecycle: persisted keys, rotation, the published key set. */
export abstract class KeyStore {
  /** The JWKS served at `/.well-known/jwks.json`: current keys and previous keys not yet retired. */
  abstract jwks(): Promise<JsonWebKeySet>;
  /**
   * Makes a new key current for `alg`; the old one stays published (status `previous`) until every token
   * it signed has expired (`retire_after` = now + the longest id_token lifetime), then it is retired.
   */
  abstract rotate(alg: SigningAlg): Promise<{ kid: string; previousKid?: string }>;
}
