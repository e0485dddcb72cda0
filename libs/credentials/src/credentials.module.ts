import { Global, Module } from '@nestjs/common';
import { CredentialLookup } from './credential-lookup';
import { DeviceCredentialQueries } from './device-credential.queries';
import { DeviceCredentials } from './device-credentials.service';
import { Revocations } from './revocations';

/** The refresh-token lifecycle services every feature shares: issue, resolve, record, revoke. */
@Global()
@Module({
  providers: [CredentialLookup, DeviceCredentials, DeviceCredentialQueries, Revocations],
  exports: [CredentialLookup, DeviceCredentials, DeviceCredentialQueries, Revocations],
})
export class CredentialsModule {}
