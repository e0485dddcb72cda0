import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { DpopProofError, UseDpopNonce } from './dpop-errors';
import type { DpopNonces } from './dpop-nonces';
import type { DpopReplayCache } from './dpop-replay-cache';

/**
 * The algorithms a DPoP proof may be signed with: asymmetric only (RFC 9449 §4.3 step 5). Discovery
 * publishes them as `dpop_signing_alg_values_supported`.
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;

/** How far a proof's `iat` may lie from this server's clock, either way (RFC 9449 §11.1). */
export const DPOP_IAT_WINDOW_SECONDS = 60;

/**
 * How much longer than its `iat` window a proof is remembered: the replicas sharing the cache may disagree
 * on the time by this much without one of them accepting a proof another has already forgotten.
 */
export const DPOP_CLOCK_TOLERANCE_SECONDS = 5;

// JWK members that only private or symmetric keys have (RFC 7518 §6, RFC 8037, draft ML-DSA `priv`).
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

/** The request a proof must be bound to. */
export interface DpopRequest {
  /** The request's HTTP method, as received. */
  method: string;
  /** The URL the client called: scheme, host and path (a query or fragment is ignored). */
  url: string;
  /** The access token the request presents, if any: the proof must then carry its hash (`ath`). */
  accessToken?: string;
}

export interface DpopVerifyOptions {
  /** Refuse a proof without one of our nonces (`use_dpop_nonce`, RFC 9449 §8). */
  nonceRequired?: boolean;
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what a token is bound to (`cnf.jkt`). */
  jkt: string;
  /** The proof's public key. */
  jwk: JWK;
}

export interface DpopVerifierOptions {
  /** Defaults to `DPOP_IAT_WINDOW_SECONDS`. */
  iatWindowSeconds?: number;
  /** The clock, epoch milliseconds; tests pass a fixed one. */
  now?: () => number;
}

/**
 * Checks a `DPoP` header against the request it came with, as RFC 9449 §4.3 lists, and returns the key
 * it proves possession of. Every refusal is a `DpopProofError` (`invalid_dpop_proof`) or, for a missing
 * or stale server nonce, a `UseDpopNonce` carrying a fresh one.
 *
 * Each proof is accepted once: its `jti` is remembered in the `DpopReplayCache` (shared by every replica in
 * Redis when `REDIS_URL` is set) until its `iat` leaves the accepted window, so a proof the cache no longer
 * holds is refused by its `iat`. A cache that cannot remember it (Redis down, memory full) refuses it:
 * 503 `temporarily_unavailable`, never accepted unchecked.
 *
 * @example
 * const { jkt } = await verifier.verify(req.headersDistinct.dpop, {
 *   method: req.method,
 *   url: `${publicUrl}/oauth/token`,
 * });
 */
@Injectable()
export class DpopProofVerifier {
  private readonly iatWindowSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly seen: DpopReplayCache,
    private readonly nonces: DpopNonces,
    options: DpopVerifierOptions = {},
  ) {
    this.iatWindowSeconds = options.iatWindowSeconds ?? DPOP_IAT_WINDOW_SECONDS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Verifies the request's DPoP proof: pass the header's values (`req.headersDistinct.dpop`) or its joined
   * value (`req.headers.dpop`); either way exactly one proof is accepted.
   */
  async verify(
    proof: string | readonly string[] | undefined,
    request: DpopRequest,
    options: DpopVerifyOptions = {},
  ): Promise<VerifiedDpopProof> {
    const { protectedHeader: header, payload } = await this.verifySignature(singleProof(proof));
    checkRequest(payload, request);
    const iat = this.checkIat(payload.iat);
    this.checkNonce(payload.nonce, options.nonceRequired ?? false);
    const jwk = header.jwk as JWK;
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    // Last, so that only a proof good in every other respect uses up its jti.
    await this.checkFirstUse(jkt, payload.jti, iat);
    return { jkt, jwk };
  }

  /** RFC 9449 §4.3 steps 2–7: a `dpop+jwt` signed with an allowed algorithm by the public key it carries. */
  private async verifySignature(proof: string) {
    const header = protectedHeader(proof);
    if (header.typ !== 'dpop+jwt') throw new DpopProofError('The DPoP proof\'s "typ" must be "dpop+jwt".');
    if (!(DPOP_SIGNING_ALGS as readonly unknown[]).includes(header.alg)) {
      throw new DpopProofError(`The DPoP proof's "alg" must be one of ${DPOP_SIGNING_ALGS.join(', ')}.`);
    }
    if (!isPublicJwk(header.jwk)) {
      throw new DpopProofError('The DPoP proof\'s "jwk" header must be a public key.');
    }
    try {
      return await jwtVerify(proof, EmbeddedJWK, {
        algorithms: [...DPOP_SIGNING_ALGS],
        currentDate: new Date(this.now()),
      });
    } catch (error) {
      // Only this proof's own bytes are at stake here: whatever fails is the proof's fault.
      const reason = error instanceof errors.JOSEError ? error.message : 'its key cannot be used';
      throw new DpopProofError(`The DPoP proof is invalid: ${reason}.`);
    }
  }

  private checkIat(iat: unknown): number {
    if (typeof iat !== 'number') throw new DpopProofError('The DPoP proof has no "iat" claim.');
    if (Math.abs(this.now() / 1000 - iat) > this.iatWindowSeconds) {
      throw new DpopProofError('The DPoP proof was issued too long ago or in the future ("iat").');
    }
    return iat;
  }

  /** RFC 9449 §8: a nonce, when required or present, must be one we handed out recently. */
  private checkNonce(nonce: unknown, required: boolean): void {
    if (nonce === undefined) {
      if (required) throw new UseDpopNonce(this.nonces.issue());
      return;
    }
    if (typeof nonce !== 'string' || !this.nonces.isValid(nonce)) {
      throw new UseDpopNonce(this.nonces.issue(), 'The DPoP proof\'s "nonce" is not current.');
    }
  }

  /**
   * RFC 9449 §11.1: a proof is used once. Keyed by the key too: two keys' jtis never collide. Remembered
   * until `checkIat` refuses it anyway (its `iat` plus the window), and a clock tolerance longer.
   */
  private async checkFirstUse(jkt: string, jti: unknown, iat: number): Promise<void> {
    if (typeof jti !== 'string' || jti === '') throw new DpopProofError('The DPoP proof has no "jti" claim.');
    // Hashed: a jti of any length costs the store the same.
    const key = createHash('sha256').update(`${jkt}.${jti}`).digest('base64url');
    const until = (iat + this.iatWindowSeconds + DPOP_CLOCK_TOLERANCE_SECONDS) * 1000;
    if (!(await this.seen.firstUse(key, until))) {
      throw new DpopProofError('The DPoP proof has been used before ("jti").');
    }
  }
}

/** RFC 9449 §4.3 step 1: exactly one `DPoP` header, holding one proof. */
function singleProof(proof: string | readonly string[] | undefined): string {
  const proofs = typeof proof === 'string' ? [proof] : (proof ?? []);
  if (proofs.length === 0 || proofs[0] === '') throw new DpopProofError('The request has no DPoP proof.');
  // Node joins repeated headers with ", "; a compact JWT never contains a comma.
  if (proofs.length > 1 || proofs[0].includes(',')) {
    throw new DpopProofError('The request must carry exactly one DPoP proof.');
  }
  return proofs[0];
}

function protectedHeader(proof: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(proof);
  } catch {
    throw new DpopProofError('The DPoP proof is not a JWT.');
  }
}

function isPublicJwk(jwk: unknown): boolean {
  if (typeof jwk !== 'object' || jwk === null) return false;
  return !PRIVATE_JWK_MEMBERS.some((member) => member in jwk);
}

/** RFC 9449 §4.3 steps 8, 9 and 11: the proof names this request's method and URL, and its access token. */
function checkRequest(payload: JWTPayload, request: DpopRequest): void {
  if (payload.htm !== request.method) {
    throw new DpopProofError('The DPoP proof\'s "htm" does not match the request\'s method.');
  }
  const htu = typeof payload.htu === 'string' ? targetOf(payload.htu) : null;
  if (htu === null || htu !== targetOf(request.url)) {
    throw new DpopProofError('The DPoP proof\'s "htu" does not match the request\'s URL.');
  }
  if (request.accessToken === undefined) return;
  if (payload.ath === undefined) throw new DpopProofError('The DPoP proof has no "ath" claim.');
  const ath = createHash('sha256').update(request.accessToken, 'ascii').digest('base64url');
  if (payload.ath !== ath) {
    throw new DpopProofError('The DPoP proof\'s "ath" does not match the access token.');
  }
}

/**
 * A URL without its query and fragment, normalised (RFC 3986 §6.2.2–6.2.3, as WHATWG URL parsing does):
 * scheme and host lower-cased, default port and dot segments dropped. `null` for what is not a URL.
 */
function targetOf(url: string): string | null {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname}`;
  } catch {
    return null;
  }
}
