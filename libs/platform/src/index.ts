export { boot, type BootOptions } from './bootstrap';
export { HealthModule } from './health/health.module';
export { ReadinessCheck } from './health/readiness-check';
export { escapeHtml, html, SafeHtml } from './http/html';
export { oauthCodeForStatus, type OAuthErrorBody } from './http/oauth-error';
export {
  AccessDenied,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  OAuthError,
  TemporarilyUnavailable,
  TooManyRequests,
  UnauthorizedClient,
  UnsupportedGrantType,
} from './http/oauth-errors';
export { isDependencyOutage, OAuthExceptionFilter } from './http/oauth-exception.filter';
export { oauthParams, stringParam, type OAuthParams } from './http/oauth-params';
export { LoggingModule, REDACTED_PATHS, requestId } from './logging/logging.module';
export { ShutdownLogger } from './shutdown-logger';
