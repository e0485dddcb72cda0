export { ManagementModule } from './management.module';
export { ManagementApiError, ManagementErrorCode, statusOf } from './errors/management-api.error';
export { ManagementExceptionFilter, type ManagementErrorBody } from './errors/management-exception.filter';
export { ManagementValidationPipe } from './http/management-validation.pipe';
export { GrantsScopesIn, RequireScopes } from './auth/require-scopes.decorator';
export {
  GRANTED_SCOPES_FIELD,
  MANAGEMENT_PRINCIPAL,
  ManagementAuthGuard,
  REQUIRED_SCOPES,
  type ManagementPrincipal,
} from './auth/management-auth.guard';
export { ClientsService, type ClientChangesInput, type CreatedClient } from './clients/clients.service';
export { ClientOriginIndex } from './clients/client-origin-index';
export { clientOriginProblem, normalizeClientOrigin } from './clients/client-origins';
export {
  resolveClientSettings,
  type ClientSettings,
  type ClientSettingsInput,
} from './clients/client-settings';
export { toClientView, type ClientView } from './clients/client.view';
export { MANAGEMENT_CLIENT_NAME, ManagementClientSeeder } from './clients/management-client.seeder';
export type { CreateUserInput, UpdateUserInput } from './users/user-input';
export { toUserView, type UserView } from '@libs/tenants';
export { UsersService } from './users/users.service';
export { CurrentCaller, type Caller } from './auth/principal.decorator';
export { DeviceCredentialsController } from './device-credentials/device-credentials.controller';
export { MANAGEMENT_OPENAPI, MANAGEMENT_SECURITY } from './management.openapi';
