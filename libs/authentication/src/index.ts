export { AuthenticationModule } from './authentication.module';
export {
  AUTHORIZATION_CODE_TTL_SECONDS,
  AuthorizationCodeStore,
  type AuthorizationGrant,
  type ConsumeResult,
  type StoredAuthorizationCode,
} from './authorization-codes/authorization-code.store';
