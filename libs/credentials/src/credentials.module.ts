import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RevokeCredentialHandler } from './commands/revoke-credential/revoke-credential.handler';
import { RevokeCredentialsHandler } from './commands/revoke-credentials/revoke-credentials.handler';
import { CredentialLookup } from './credential-lookup';
import { DeviceCredentialQueries } from './device-credential.queries';
import { DeviceCredentials } from './device-credentials.service';
import { Revocations } from './revocations';
import { CredentialCommands } from './runner/command-runner';

/**
 * The refresh-token lifecycle every feature shares: issue, resolve, record, revoke. Revocations are
 * commands on the CommandBus (`RevokeCredential`, `RevokeCredentials`); events never travel on the
 * in-process bus (they go through the event store and Kafka).
 */
@Global()
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    CredentialCommands,
    CredentialLookup,
    DeviceCredentials,
    DeviceCredentialQueries,
    Revocations,
    RevokeCredentialHandler,
    RevokeCredentialsHandler,
  ],
  exports: [CredentialLookup, DeviceCredentials, DeviceCredentialQueries, Revocations],
})
export class CredentialsModule {}
