import { Module } from '@nestjs/common';
import { TenantsModule } from '@libs/tenants';
import { ManagementAuthGuard } from './auth/management-auth.guard';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { ManagementClientSeeder } from './clients/management-client.seeder';
import { DeviceCredentialsController } from './device-credentials/device-credentials.controller';
import { ManagementExceptionFilter } from './errors/management-exception.filter';
import { ManagementValidationPipe } from './http/management-validation.pipe';
import { SigningKeysController } from './signing-keys/signing-keys.controller';
import { SigningKeysService } from './signing-keys/signing-keys.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/**
 * Management API v2 over HTTP: applications (clients), users, device credentials, signing keys. Relies on
 * the clients and users of `TenantsModule`, the global `AppConfig`, `DataSource`, the jwt ports
 * (`TokenVerifier`, `KeyStore`) and the credentials commands on the CommandBus.
 */
@Module({
  imports: [TenantsModule],
  controllers: [ClientsController, UsersController, SigningKeysController, DeviceCredentialsController],
  providers: [
    ClientsService,
    UsersService,
    SigningKeysService,
    ManagementAuthGuard,
    ManagementExceptionFilter,
    ManagementValidationPipe,
    ManagementClientSeeder,
  ],
  exports: [
    ClientsService,
    UsersService,
    ManagementAuthGuard,
    ManagementExceptionFilter,
    ManagementValidationPipe,
  ],
})
export class ManagementModule {}
