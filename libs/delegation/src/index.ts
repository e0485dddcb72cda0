export { DelegationModule } from './delegation.module';
export { setRateLimitHeaders } from './http/rate-limit-headers';
export { translate as translateExchangeError } from './http/delegation.controller';
export { RateLimiter, type RateLimitDecision } from './rate-limit/rate-limiter';
export {
  RateLimited,
  RefreshTokenExchange,
  UnknownTarget,
  type ExchangeRequest,
  type ExchangeResult,
} from './refresh-token-exchange';
export { DELEGATION_OPENAPI } from './delegation.openapi';
