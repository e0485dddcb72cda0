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
export { openSecret, sealSecret, SealedSecretError } from './sealed-secret';
export { SecurityModule } from './security.module';
export { addressKey } from './address-key';
export {
  AttemptLimiter,
  attemptKey,
  DEFAULT_LOGIN_ATTEMPT_LIMITS,
  LoginAttemptLimiter,
  loginAttemptKey,
  type LoginAttemptLimits,
} from './attempt-limiter';
