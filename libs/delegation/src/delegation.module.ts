import { Module } from '@nestjs/common';
import { TenantsModule } from '@libs/tenants';
import { DelegationFailureLog } from './failures/delegation-failure-log';
import { DelegationController } from './http/delegation.controller';
import { RefreshTokenExchange } from './refresh-token-exchange';

/** `/delegation` and the refresh-token lifecycle services the token endpoint shares. */
@Module({
  imports: [TenantsModule],
  controllers: [DelegationController],
  providers: [DelegationFailureLog, RefreshTokenExchange],
  exports: [RefreshTokenExchange],
})
export class DelegationModule {}
