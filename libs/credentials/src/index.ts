export { CredentialsModule } from './credentials.module';
export {
  CommandRunner,
  type CommandResult,
  type Decider,
  type HandleOptions,
  type LoadedStream,
  type Snapshot,
} from './runner/command-runner';
export { CredentialLookup, type FoundCredential } from './credential-lookup';
export { CredentialResolver, type ActiveCredential } from './credential-resolver';
export { IdTokenProvenance } from './id-token-provenance/id-token-provenance';
export {
  DeviceCredentialQueries,
  type DeviceCredentialFilter,
  type DeviceCredentialSummary,
  type UserDevice,
} from './device-credential.queries';
export {
  IssueCredential,
  type IssuedCredential,
  type IssueRequest,
} from './issue-credential/issue-credential.command';
export { newCredentialId } from './issue-credential/issue-credential.handler';
export {
  ExchangeRefreshToken,
  type ExchangeRequest,
  type ExchangeResult,
  type PresentedToken,
} from './exchange-refresh-token/exchange-refresh-token.command';
export { ExchangeRefreshTokenHandler } from './exchange-refresh-token/exchange-refresh-token.handler';
export {
  RateLimited,
  ScopeNotGranted,
  TargetNotAllowed,
  translateExchangeError,
  UnknownTarget,
  USER_DELETED_REFRESH_TOKEN,
} from './exchange-refresh-token/exchange-refusals';
export { RevokeCredential } from './revoke-credential/revoke-credential.command';
export { RevokeCredentials, type RevocationScope } from './revoke-credentials/revoke-credentials.command';
export { RevokeRefreshToken } from './revoke-refresh-token/revoke-refresh-token.command';
