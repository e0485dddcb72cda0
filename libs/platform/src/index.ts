export { boot, type BootOptions } from './bootstrap';
export { HealthModule } from './health/health.module';
export { ReadinessCheck } from './health/readiness-check';
export { escapeHtml, html, SafeHtml } from './http/html';
export { loginFields } from './http/login-fields';
export { oauthCodeForStatus, type OAuthErrorBody } from './http/oauth-error';
export {
  AccessDenied,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  OAuthError,
  TemporarilyUnavailable,
  TooManyAttempts,
  TooManyRequests,
  UnauthorizedClient,
  UnsupportedGrantType,
} from './http/oauth-errors';
export {
  describeError,
  isDependencyOutage,
  logServerError,
  OAuthExceptionFilter,
} from './http/oauth-exception.filter';
export { basicCredentials, type BasicCredentials } from './http/basic-credentials';
export { ClientOrigins } from './http/cors/client-origins.port';
export { CLIENT_CORS_PATHS, CORS_MAX_AGE_SECONDS, PUBLIC_CORS_PATH } from './http/cors/cors-policy';
export { CorsMiddleware } from './http/cors/cors.middleware';
export { oauthParams, stringParam, type OAuthParams } from './http/oauth-params';
export { rateLimitHeadersOnEveryAnswer, setRateLimitHeaders } from './http/rate-limit-headers';
export { securityHeaders, securityHeadersMiddleware } from './http/security-headers.middleware';
export { dependencyOf, Metrics, type Dependency } from './metrics/metrics';
export { MetricsModule } from './metrics/metrics.module';
export { LoggingModule, REDACTED_PATHS, requestId } from './logging/logging.module';
export { ShutdownLogger } from './shutdown-logger';
export { AdmissionControl, type AdmissionStatus } from './overload/admission-control';
export { AdmissionMiddleware } from './overload/admission.middleware';
export { CONTROL_PLANE_ROUTES, ControlPlaneMiddleware } from './overload/control-plane.middleware';
export { OverloadModule } from './overload/overload.module';
export { ApiOAuthErrors, ERROR_HEADERS, oauthErrorResponse } from './openapi/api-oauth-errors.decorator';
export { OAuthErrorResponse } from './openapi/oauth-error.response';
export {
  API_TAGS,
  BODY_LIMIT_EXTENSION,
  buildOpenApiDocument,
  OPENAPI_JSON_PATH,
  OPENAPI_UI_PATH,
  REQUEST_BODY_LIMIT_BYTES,
  serveOpenApi,
  type OpenApiDescription,
  type OpenApiSection,
} from './openapi/openapi-document';
export { OPERATIONS_OPENAPI } from './health/health.openapi';
export {
  contextOf,
  contextWith,
  endSpan,
  inSpan,
  SpanKind,
  traceparentOf,
  tracer,
  type Attributes,
  type Context,
  type Span,
} from './tracing/spans';
export { startTracing, stopTracing } from './tracing/tracing-sdk';
export { TracingModule } from './tracing/tracing.module';
