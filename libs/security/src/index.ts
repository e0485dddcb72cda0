export { SecretKeys, type ClientSecretMatch, type KeyVersion, type PreviousKeyListener } from './secret-keys';
export {
  constantTimeEqual,
  deriveKey,
  hashSecret,
  keyedHash,
  randomToken,
  secretKeyId,
  verifySecret,
  type KeyPurpose,
} from './secrets';
export { openSecret, sealSecret, SealedSecretError } from './sealed-secret';
export { SecurityModule } from './security.module';
export { addressKey } from './rate-limit/address-key';
export {
  AttemptLimiter,
  attemptKey,
  DEFAULT_LOGIN_ATTEMPT_LIMITS,
  LoginAttempt,
  LoginAttemptLimiter,
  loginAttemptKey,
  type AddressLimits,
  type LoginAttemptLimits,
  type LoginRefusal,
} from './rate-limit/attempt-limiter';
export { FailedLookupLimiter } from './rate-limit/failed-lookup-limiter';
export { RateLimiter, type RateLimitDecision } from './rate-limit/rate-limiter';
export {
  LimitStore,
  type CounterOptions,
  type LimitCounter,
  type LimitSource,
  type WindowCount,
} from './rate-limit/limit-store';
export { counterFor, MemoryCounter, MemoryLimitStore } from './rate-limit/memory-limit-store';
export { RedisLimitStore } from './rate-limit/redis-limit-store';
export { limitStoreFromConfig } from './rate-limit/limit-store.factory';
export { DpopError, DpopProofError, DpopProofsUnavailable, UseDpopNonce } from './dpop/dpop-errors';
export {
  DpopReplayCache,
  MAX_REMEMBERED_PROOFS,
  MemoryDpopReplayCache,
  RedisDpopReplayCache,
} from './dpop/dpop-replay-cache';
export { DPOP_NONCE_WINDOW_MS, DpopNonces, type DpopNonceOptions } from './dpop/dpop-nonces';
export {
  DPOP_CLOCK_TOLERANCE_SECONDS,
  DPOP_IAT_WINDOW_SECONDS,
  DPOP_SIGNING_ALGS,
  DpopProofVerifier,
  type DpopRequest,
  type DpopVerifierOptions,
  type DpopVerifyOptions,
  type VerifiedDpopProof,
} from './dpop/dpop-proof.verifier';
export { BoundedConcurrency } from './bounded-concurrency';
