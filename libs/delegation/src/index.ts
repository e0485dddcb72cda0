export { DelegationModule } from './delegation.module';
export { translate as translateExchangeError } from './http/delegation.controller';
export {
  RateLimited,
  RefreshTokenExchange,
  UnknownTarget,
  type ExchangeRequest,
  type ExchangeResult,
} from './refresh-token-exchange';
export { DELEGATION_OPENAPI } from './delegation.openapi';
