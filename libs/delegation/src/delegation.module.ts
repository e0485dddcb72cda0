import { Module } from '@nestjs/common';
import { TenantsModule } from '@libs/tenants';
import { DelegationController } from './http/delegation.controller';

/** `/delegation`, Auth0's legacy exchange (the hot path); the exchange itself is credentials' `ExchangeRefreshToken`. */
@Module({
  imports: [TenantsModule],
  controllers: [DelegationController],
})
export class DelegationModule {}
