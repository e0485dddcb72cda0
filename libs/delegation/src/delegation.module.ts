import { Module } from '@nestjs/common';
import { ManagementModule } from '@libs/management';
import { MetricsModule } from '@libs/platform';
import { ClientCache } from './credentials/client-cache';
import { DelegationFailureLog } from './failures/delegation-failure-log';
import { DelegationController } from './http/delegation.controller';
import { RefreshTokenExchange } from './refresh-token-exchange';

/** `/delegation` and the refresh-token lifecycle services the token endpoint shares. */
@Module({
  imports: [ManagementModule, MetricsModule],
  controllers: [DelegationController],
  providers: [ClientCache, DelegationFailureLog, RefreshTokenExchange],
  exports: [ClientCache, RefreshTokenExchange],
})
export class DelegationModule {}
