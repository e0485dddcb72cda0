export { CredentialLookup, type FoundCredential } from './credential-lookup';
export { CredentialsModule } from './credentials.module';
export {
  CredentialCommands,
  type CommandResult,
  type LoadedStream,
  type Snapshot,
} from './runner/command-runner';
export {
  DeviceCredentials,
  type ActiveCredential,
  type IssueRequest,
  type ResolvedCredential,
} from './device-credentials.service';
export {
  DeviceCredentialQueries,
  type DeviceCredentialFilter,
  type DeviceCredentialSummary,
  type UserDevice,
} from './device-credential.queries';
export { RefreshTokenRefused, type RefusalReason, type RefusedCredential } from './refresh-token-refused';
export { Revocations, type RevocationScope } from './revocations';
export { RevokeCredential } from './commands/revoke-credential/revoke-credential.command';
export { RevokeCredentials } from './commands/revoke-credentials/revoke-credentials.command';
