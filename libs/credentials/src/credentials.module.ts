import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MetricsModule } from '@libs/platform';
import { TenantsModule } from '@libs/tenants';
import { CredentialLookup } from './credential-lookup';
import { CredentialResolver } from './credential-resolver';
import { DeviceCredentialQueries } from './device-credential.queries';
import { DelegationFailureLog } from './exchange-refresh-token/delegation-failure-log';
import { ExchangeRefreshTokenHandler } from './exchange-refresh-token/exchange-refresh-token.handler';
import { IdTokenProvenance } from './id-token-provenance/id-token-provenance';
import { IssuedIdTokens } from './id-token-provenance/issued-id-tokens';
import { IssueCredentialHandler } from './issue-credential/issue-credential.handler';
import { RevokeCredentialHandler } from './revoke-credential/revoke-credential.handler';
import { RevokeCredentialsHandler } from './revoke-credentials/revoke-credentials.handler';
import { RevokeRefreshTokenHandler } from './revoke-refresh-token/revoke-refresh-token.handler';
import { CommandRunner } from './runner/command-runner';

/**
 * The refresh-token lifecycle every feature shares, one write path: each use case is a typed command on
 * the CommandBus (`IssueCredential`, `ExchangeRefreshToken`, `RevokeCredential`, `RevokeCredentials`,
 * `RevokeRefreshToken`) whose handler decides through the credential decider and the `CommandRunner`.
 * Events never travel on the in-process bus (they go through the event store and Kafka).
 */
@Global()
@Module({
  imports: [CqrsModule.forRoot(), TenantsModule, MetricsModule],
  providers: [
    CommandRunner,
    CredentialLookup,
    CredentialResolver,
    DeviceCredentialQueries,
    DelegationFailureLog,
    IdTokenProvenance,
    IssuedIdTokens,
    IssueCredentialHandler,
    ExchangeRefreshTokenHandler,
    RevokeCredentialHandler,
    RevokeCredentialsHandler,
    RevokeRefreshTokenHandler,
  ],
  exports: [DeviceCredentialQueries, CredentialResolver, IdTokenProvenance],
})
export class CredentialsModule {}
