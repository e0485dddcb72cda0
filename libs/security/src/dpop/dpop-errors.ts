/**
 * A refused DPoP proof (RFC 9449). The proof's own faults answer 400 at the token endpoint with the OAuth
 * `error` they carry (a resource such as `/userinfo` answers them 401 with a `DPoP` challenge, §7.1); a
 * proof that cannot be checked now answers 503. `headers` are set on that answer (the platform's
 * exception filter does both).
 */
export abstract class DpopError extends Error {
  abstract readonly error: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'temporarily_unavailable';
  readonly status: 400 | 503 = 400;
  readonly headers: Readonly<Record<string, string>> = {};
}

/** RFC 9449 §5: the `DPoP` header is missing, malformed, or fails a check of §4.3. */
export class DpopProofError extends DpopError {
  readonly error = 'invalid_dpop_proof';

  constructor(description: string) {
    super(description);
    this.name = 'DpopProofError';
  }
}

/**
 * RFC 9449 §8: the proof lacks a server nonce, or carries one that is not (or no longer) ours. The answer
 * hands the client a fresh one in `DPoP-Nonce` to sign into its next proof.
 */
export class UseDpopNonce extends DpopError {
  readonly error = 'use_dpop_nonce';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly nonce: string,
    description = 'Authorization server requires nonce in DPoP proof.',
  ) {
    super(description);
    this.name = 'UseDpopNonce';
    this.headers = { 'DPoP-Nonce': nonce };
  }
}

/**
 * The proof cannot be checked for replay now (RFC 9449 §11.1): the shared replay cache is down, or this
 * process's is full of proofs that could still be replayed. Refused rather than accepted unchecked
 * (issue 19 finding 13): 503 `temporarily_unavailable` with `Retry-After`.
 */
export class DpopProofsUnavailable extends DpopError {
  readonly error = 'temporarily_unavailable';
  override readonly status = 503;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(description: string, retryAfterSeconds: number) {
    super(description);
    this.name = 'DpopProofsUnavailable';
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}
