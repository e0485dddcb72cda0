import { Module } from '@nestjs/common';
import { ClientOrigins } from '@libs/platform';
import { TenantsModule } from '@libs/tenants';
import { ManagementAuthGuard } from './auth/management-auth.guard';
import { ClientOriginIndex } from './clients/client-origin-index';
import { ClientSecretResealer } from './clients/client-secret.resealer';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { ManagementClientSeeder } from './clients/management-client.seeder';
import { DeviceCredentialsController } from './device-credentials/device-credentials.controller';
import { ManagementExceptionFilter } from './errors/management-exception.filter';
import { ManagementValidationPipe } from './http/management-validation.pipe';
import { RefreshTokenQueries } from './refresh-tokens/refresh-token.queries';
import { RefreshTokenRevocations } from './refresh-tokens/refresh-token-revocations';
import { RefreshTokensController } from './refresh-tokens/refresh-tokens.controller';
import { SigningKeysController } from './signing-keys/signing-keys.controller';
import { SigningKeysService } from './signing-keys/signing-keys.service';
import { UserBlocksController } from './users/user-blocks.controller';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/**
 * Management API v2 over HTTP: applications (clients), users, user blocks, device credentials, refresh
 * tokens, signing keys; answers the CORS middleware's `ClientOrigins` port from the clients' origins.
 * Relies on the clients and users of `TenantsModule`, the global `AppConfig`, `DataSource`, the jwt ports
 * (`TokenVerifier`, `KeyStore`) and the credentials commands on the CommandBus.
 */
@Module({
  imports: [TenantsModule],
  controllers: [
    ClientsController,
    UsersController,
    UserBlocksController,
    SigningKeysController,
    DeviceCredentialsController,
    RefreshTokensController,
  ],
  providers: [
    ClientOriginIndex,
    { provide: ClientOrigins, useExisting: ClientOriginIndex },
    ClientsService,
    UsersService,
    SigningKeysService,
    RefreshTokenQueries,
    RefreshTokenRevocations,
    ManagementAuthGuard,
    ManagementExceptionFilter,
    ManagementValidationPipe,
    ManagementClientSeeder,
    ClientSecretResealer,
  ],
  exports: [
    ClientOrigins,
    ClientsService,
    UsersService,
    ManagementAuthGuard,
    ManagementExceptionFilter,
    ManagementValidationPipe,
  ],
})
export class ManagementModule {}
