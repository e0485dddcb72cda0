import { HttpException } from '@nestjs/common';

/**
 * Wire-level OAuth errors, one class per `error` code (RFC 6749 §5.2, Auth0's statuses). Thrown by
 * transports only; the global filter writes `{error, error_description}` with the status.
 */
export class OAuthError extends HttpException {
  constructor(
    status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ error, error_description: description }, status);
    this.message = description;
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_request', description);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_scope', description);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super(400, 'unsupported_grant_type', description);
  }
}

/** Client authentication failed (RFC 6749 §5.2: 401). */
export class InvalidClient extends OAuthError {
  constructor(description = 'Client authentication failed.') {
    super(401, 'invalid_client', description, { 'WWW-Authenticate': 'Basic realm="oauth"' });
  }
}

/** Auth0 answers 403 for unusable grants (codes, refresh tokens, credentials). */
export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super(403, 'invalid_grant', description);
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super(403, 'unauthorized_client', description);
  }
}

export class AccessDenied extends OAuthError {
  constructor(description: string) {
    super(403, 'access_denied', description);
  }
}

export class TooManyRequests extends OAuthError {
  constructor(description: string, retryAfterSeconds: number) {
    super(429, 'too_many_requests', description, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** Auth0's brute-force protection: this address is blocked for this user (or client) for a while. */
export class TooManyAttempts extends OAuthError {
  constructor(description: string, retryAfterSeconds: number) {
    super(429, 'too_many_attempts', description, { 'Retry-After': String(retryAfterSeconds) });
  }
}

export class TemporarilyUnavailable extends OAuthError {
  constructor(description = 'The service is temporarily unavailable. Try again shortly.') {
    super(503, 'temporarily_unavailable', description, { 'Retry-After': '5' });
  }
}
