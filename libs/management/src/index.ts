export { ManagementModule } from './management.module';
export {
  ACCESS_TOKEN_TYP,
  isManagementScope,
  MANAGEMENT_SCOPES,
  managementAudience,
  missingScopes,
  parseScope,
  type ManagementScope,
} from './management-scopes';
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
export {
  grantedManagementScopes,
  MANAGEMENT_TOKEN_LIFETIME_SECONDS,
  ManagementTokenIssuer,
  type ManagementAccessToken,
} from './tokens/management-token.issuer';
export {
  APP_TYPES,
  CLIENT_ID,
  GRANT_TYPES,
  JWT_BEARER_GRANT,
  TOKEN_ENDPOINT_AUTH_METHODS,
  verifyClientSecret,
  type AppType,
  type Client,
  type GrantType,
  type NewClient,
  type TokenEndpointAuthMethod,
} from './clients/client';
export { ClientRepository, type ClientListQuery, type ClientOriginList } from './clients/client.repository';
export { PostgresClientRepository } from './clients/postgres-client.repository';
export { ClientsService, type ClientChangesInput, type CreatedClient } from './clients/clients.service';
export { ClientOriginIndex } from './clients/client-origin-index';
export { clientOriginProblem, normalizeClientOrigin } from './clients/client-origins';
export { Hs256SecretUnavailable, IdTokenKeys } from './clients/id-token-keys';
export {
  resolveClientSettings,
  type ClientSettings,
  type ClientSettingsInput,
} from './clients/client-settings';
export { toClientView, type ClientView } from './clients/client.view';
export { MANAGEMENT_CLIENT_NAME, ManagementClientSeeder } from './clients/management-client.seeder';
export { USER_CONNECTION, USER_ID, type User } from './users/user';
export {
  UserRepository,
  type NewUser,
  type UserChanges,
  type UserListQuery,
  type UserSortField,
} from './users/user.repository';
export { PostgresUserRepository } from './users/postgres-user.repository';
export { parseUserSearch, type UserSearchTerm } from './users/user-search';
export type { CreateUserInput, UpdateUserInput } from './users/user-input';
export { toUserView, type UserView } from './users/user.view';
export { UsersService } from './users/users.service';
export type { Page } from './http/list-params';
export { CurrentCaller, type Caller } from './auth/principal.decorator';
export { DeviceCredentialsController } from './device-credentials/device-credentials.controller';
export { MANAGEMENT_OPENAPI, MANAGEMENT_SECURITY } from './management.openapi';
