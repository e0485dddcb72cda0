import { Module } from '@nestjs/common';
import { ClientCache } from './clients/client-cache';
import { ClientRepository } from './clients/client.repository';
import { PostgresClientRepository } from './clients/postgres-client.repository';
import { PostgresUserRepository } from './users/postgres-user.repository';
import { UserRepository } from './users/user.repository';

/**
 * The tenant's clients and users: the repository ports bound to PostgreSQL, and the hot path's client
 * cache. No controllers: the Management API, the dashboard and the Authentication API serve them.
 */
@Module({
  providers: [
    { provide: ClientRepository, useClass: PostgresClientRepository },
    { provide: UserRepository, useClass: PostgresUserRepository },
    ClientCache,
  ],
  exports: [ClientRepository, UserRepository, ClientCache],
})
export class TenantsModule {}
