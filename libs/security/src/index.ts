export { SecretKeys } from './secret-keys';
export {
  constantTimeEqual,
  deriveKey,
  hashSecret,
  keyedHash,
  randomToken,
  verifySecret,
  type KeyPurpose,
} from './secrets';
export { SecurityModule } from './security.module';
export { addressKey, FailedLookupLimiter } from './rate-limit/failed-lookup-limiter';
export {
  DEFAULT_LOGIN_ATTEMPT_LIMITS,
  loginAttemptKey,
  LoginAttemptLimiter,
  type LoginAttemptLimits,
} from './rate-limit/login-attempt-limiter';
export { RateLimiter, type RateLimitDecision } from './rate-limit/rate-limiter';
