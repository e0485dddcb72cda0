export { ClientAuthentication, type AuthenticatedClient } from './credentials/client-authentication';
export { ClientCache } from './credentials/client-cache';
export { DelegationModule } from './delegation.module';
export { rateLimitHeadersOnEveryAnswer, setRateLimitHeaders } from './http/rate-limit-headers';
export {
  translate as translateExchangeError,
  USER_DELETED_REFRESH_TOKEN,
} from './http/delegation.controller';
export {
  CREDENTIAL_CLAIM,
  exchangeScope,
  idTokenClaims,
  intersectScope,
  presentedScope,
  scopeValues,
} from './id-tokens/id-token-claims';
export { RateLimiter, type RateLimitDecision } from './rate-limit/rate-limiter';
export {
  RateLimited,
  RefreshTokenExchange,
  TargetNotAllowed,
  UnknownTarget,
  type ExchangeRequest,
  type ExchangeResult,
} from './refresh-token-exchange';
export { DELEGATION_OPENAPI } from './delegation.openapi';
