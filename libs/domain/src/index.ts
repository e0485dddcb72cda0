export {
  credentialDecider,
  decide,
  evolve,
  expiryOf,
  initialState,
  refusalOf,
  refusalRecorded,
  replay,
  retirementAfter,
  usableUntil,
  type CredentialCommand,
  type Presentation,
  type CredentialState,
  type DelegateIdToken,
  type IssueToken,
  type RefusalReason,
  type RetiredToken,
  type RevokeToken,
} from './credential/credential.decider';
export {
  INVALID_REFRESH_TOKEN,
  RefreshTokenRefused,
  type RefusedCredential,
} from './credential/refresh-token-refused';
export { DomainError, type DomainErrorCode } from './errors';
export {
  eventOf,
  SCHEMA_VERSIONS,
  type CredentialEvent,
  type CredentialEventType,
  type EnvelopeFields,
  type EventEnvelope,
  type IdTokenDelegated,
  type IdTokenDelegatedV1,
  type IssuingGrant,
  type RevocationReason,
  type StoredEnvelope,
  type RefreshTokenReused,
  type TokenExpired,
  type TokenIssued,
  type TokenIssuedV1,
  type TokenRevoked,
  type TokenRotated,
} from './events';
export { CREDENTIAL_ID, credentialId } from './ids';
export { UnsupportedEventError } from './upcasting/unsupported-event.error';
export { assertReadable, upcast } from './upcasting/upcast';
export {
  LEGACY_REFRESH_TOKEN_POLICY,
  LEGACY_TERMS,
  MAX_LEEWAY,
  MAX_LEEWAY_RETRIES,
  MAX_TOKEN_LIFETIME,
  policyProblem,
  termsOf,
  type RefreshTokenPolicy,
  type RefreshTokenTerms,
} from './credential/refresh-token-policy';
