import { Module } from '@nestjs/common';
import { ClientAuthentication } from './clients/client-authentication';
import { ClientCache } from './clients/client-cache';
import { ClientSecrets } from './clients/client-secrets';
import { ClientRepository } from './clients/client.repository';
import { IdTokenKeys } from './clients/id-token-keys';
import { PostgresClientRepository } from './clients/postgres-client.repository';
import { PasswordHashing } from './passwords/password-hashing';
import { PostgresUserRepository } from './users/postgres-user.repository';
import { UserRepository } from './users/user.repository';

/**
 * The tenant's clients and users: the repository ports bound to PostgreSQL, and the hot path's client
 * cache, client authentication and the keys of a client's id_tokens. No controllers: the Management API, the dashboard and the Authentication API serve them.
 */
@Module({
  providers: [
    { provide: ClientRepository, useClass: PostgresClientRepository },
    { provide: UserRepository, useClass: PostgresUserRepository },
    ClientCache,
    ClientAuthentication,
    IdTokenKeys,
    PasswordHashing,
    ClientSecrets,
  ],
  exports: [
    ClientRepository,
    UserRepository,
    ClientCache,
    ClientAuthentication,
    IdTokenKeys,
    PasswordHashing,
    ClientSecrets,
  ],
})
export class TenantsModule {}
