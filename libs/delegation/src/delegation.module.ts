import { Module } from '@nestjs/common';
import { ManagementModule } from '@libs/management';
import { ClientAuthentication } from './credentials/client-authentication';
import { MetricsModule } from '@libs/platform';
import { ClientCache } from './credentials/client-cache';
import { DelegationFailureLog } from './failures/delegation-failure-log';
import { DelegationController } from './http/delegation.controller';
import { RefreshTokenExchange } from './refresh-token-exchange';

/** `/delegation` and the refresh-token lifecycle services the token endpoint shares. */
@Module({
  imports: [ManagementModule, MetricsModule],
  controllers: [DelegationController],
  providers: [ClientCache, ClientAuthentication, DelegationFailureLog, RefreshTokenExchange],
  exports: [ClientCache, ClientAuthentication, RefreshTokenExchange],
})
export class DelegationModule {}
