import { Module } from '@nestjs/common';
import { ClientOrigins } from '@libs/platform';
import { ManagementAuthGuard } from './auth/management-auth.guard';
import { ClientOriginIndex } from './clients/client-origin-index';
import { ClientRepository } from './clients/client.repository';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { IdTokenKeys } from './clients/id-token-keys';
import { ManagementClientSeeder } from './clients/management-client.seeder';
import { PostgresClientRepository } from './clients/postgres-client.repository';
import { DeviceCredentialsController } from './device-credentials/device-credentials.controller';
import { ManagementExceptionFilter } from './errors/management-exception.filter';
import { ManagementValidationPipe } from './http/management-validation.pipe';
import { SigningKeysController } from './signing-keys/signing-keys.controller';
import { SigningKeysService } from './signing-keys/signing-keys.service';
import { ManagementTokenIssuer } from './tokens/management-token.issuer';
import { PostgresUserRepository } from './users/postgres-user.repository';
import { UserRepository } from './users/user.repository';
import { UserBlocksController } from './users/user-blocks.controller';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/**
 * Management API v2: applications (clients), users, device credentials, signing keys, and the Management
 * API access tokens; answers the CORS middleware's `ClientOrigins` port from the clients' origins. Relies on the global `AppConfig`, `DataSource`, the jwt ports (`TokenSigner`,
 * `TokenVerifier`, `KeyStore`) and the credentials services (`DeviceCredentials`, `Revocations`).
 */
@Module({
  controllers: [
    ClientsController,
    UsersController,
    UserBlocksController,
    SigningKeysController,
    DeviceCredentialsController,
  ],
  providers: [
    { provide: ClientRepository, useClass: PostgresClientRepository },
    { provide: UserRepository, useClass: PostgresUserRepository },
    ClientOriginIndex,
    { provide: ClientOrigins, useExisting: ClientOriginIndex },
    ClientsService,
    IdTokenKeys,
    UsersService,
    SigningKeysService,
    ManagementTokenIssuer,
    ManagementAuthGuard,
    ManagementExceptionFilter,
    ManagementValidationPipe,
    ManagementClientSeeder,
  ],
  exports: [
    ClientRepository,
    ClientOrigins,
    UserRepository,
    ClientsService,
    IdTokenKeys,
    UsersService,
    ManagementTokenIssuer,
    ManagementAuthGuard,
    ManagementExceptionFilter,
    ManagementValidationPipe,
  ],
})
export class ManagementModule {}
