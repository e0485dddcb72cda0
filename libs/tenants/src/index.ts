export { TenantsModule } from './tenants.module';
export { TenantError, TenantErrorCode } from './errors/tenant.error';
export type { Page } from './page';
export {
  ACCESS_TOKEN_TYP,
  isManagementScope,
  MANAGEMENT_SCOPES,
  managementAudience,
  missingScopes,
  parseScope,
  type ManagementScope,
} from './clients/management-scopes';
export {
  APP_TYPES,
  CLIENT_ID,
  GRANT_TYPES,
  isLegacyClient,
  JWT_BEARER_GRANT,
  newClientId,
  newClientSecret,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type AppType,
  type Client,
  type GrantType,
  type NewClient,
  type TokenEndpointAuthMethod,
} from './clients/client';
export { ClientAuthentication, type AuthenticatedClient } from './clients/client-authentication';
export { ClientSecrets, type ClientSecretCheck } from './clients/client-secrets';
export { ClientCache } from './clients/client-cache';
export { PasswordHashing, type PasswordHashingLimits } from './passwords/password-hashing';
export { Hs256SecretUnavailable, IdTokenKeys } from './clients/id-token-keys';
export { ClientRepository, type ClientListQuery, type ClientOriginList } from './clients/client.repository';
export { PostgresClientRepository } from './clients/postgres-client.repository';
export {
  assertPasswordPolicy,
  defaultNickname,
  defaultPicture,
  newUserId,
  PASSWORD_POLICY,
  USER_CONNECTION,
  USER_ID,
  type User,
} from './users/user';
export {
  UserRepository,
  type NewUser,
  type UserChanges,
  type UserListQuery,
  type UserSortField,
} from './users/user.repository';
export {
  ownerJsonSql,
  PostgresUserRepository,
  userFromJson,
  type UserJson,
} from './users/postgres-user.repository';
export {
  assertMetadata,
  initialMetadata,
  METADATA_LIMITS,
  type Metadata,
  type MetadataField,
} from './users/user-metadata';
export { parseUserSearch, type UserSearchTerm } from './users/user-search';
export {
  CREDENTIAL_CLAIM,
  exchangeScope,
  idTokenClaims,
  intersectScope,
  presentedScope,
  scopeValues,
} from './users/id-token-claims';
export { toUserView, type IdentityView, type UserView } from './users/user.view';
