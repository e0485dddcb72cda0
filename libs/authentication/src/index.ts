export { AuthenticationModule } from './authentication.module';
export {
  AUTHORIZATION_CODE_TTL_SECONDS,
  AuthorizationCodeStore,
  type AuthorizationGrant,
  type ConsumeResult,
  type StoredAuthorizationCode,
} from './authorization-codes/authorization-code.store';
export { AuthorizeController } from './authorize/authorize.controller';
export {
  DEVICE_MAX_LENGTH,
  SUPPORTED_SCOPES,
  validateAuthorizeRequest,
  type AuthorizeOutcome,
  type AuthorizeRequest,
} from './authorize/authorize-request';
export { JwksController } from './discovery/jwks.controller';
export {
  grantedManagementScopes,
  MANAGEMENT_TOKEN_LIFETIME_SECONDS,
  ManagementTokenIssuer,
  type ManagementAccessToken,
} from './token/grants/management-token.issuer';
export { AUTHENTICATION_OPENAPI } from './authentication.openapi';
