import { Global, Module } from '@nestjs/common';
import { CredentialLookup } from './credential-lookup';
import { DeviceCredentials } from './device-credentials.service';

/** The refresh-token lifecycle services every feature shares: issue, resolve, record, revoke. */
@Global()
@Module({
  providers: [CredentialLookup, DeviceCredentials],
  exports: [CredentialLookup, DeviceCredentials],
})
export class CredentialsModule {}
