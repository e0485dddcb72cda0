import { Module } from '@nestjs/common';
import { ManagementModule } from '@libs/management';
import { ClientCache } from './credentials/client-cache';
import { CredentialLookup } from './credentials/credential-lookup';
import { DeviceCredentials } from './credentials/device-credentials.service';
import { DelegationController } from './http/delegation.controller';
import { RefreshTokenExchange } from './refresh-token-exchange';

/** `/delegation` and the refresh-token lifecycle services the token endpoint shares. */
@Module({
  imports: [ManagementModule],
  controllers: [DelegationController],
  providers: [CredentialLookup, DeviceCredentials, ClientCache, RefreshTokenExchange],
  exports: [DeviceCredentials, ClientCache, RefreshTokenExchange],
})
export class DelegationModule {}
