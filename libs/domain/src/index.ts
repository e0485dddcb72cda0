export {
  canDelegate,
  decide,
  evolve,
  initialState,
  INVALID_REFRESH_TOKEN,
  replay,
  type CredentialCommand,
  type CredentialState,
  type DelegateIdToken,
  type IssueToken,
  type RevokeToken,
} from './credential/credential.decider';
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
  type TokenIssued,
  type TokenRevoked,
} from './events';
export { CREDENTIAL_ID, credentialId } from './ids';
export { UnsupportedEventError } from './upcasting/unsupported-event.error';
export { assertReadable, upcast } from './upcasting/upcast';
