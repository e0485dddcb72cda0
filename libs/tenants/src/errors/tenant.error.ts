/** Stable codes of the refusals of client and user rules; each transport maps them to its own answer. */
export enum TenantErrorCode {
  /** The password does not meet the connection's policy. */
  WeakPassword = 'weak_password',
  /** A user with this email already exists in the connection. */
  UserExists = 'user_exists',
  /** A user search (`q`) cannot be parsed. */
  InvalidUserSearch = 'invalid_user_search',
  /** `user_metadata` or `app_metadata` is not an object Auth0 would store, or breaks the size bounds. */
  InvalidMetadata = 'invalid_metadata',
}

/**
 * A refusal of a client or user rule, never an infrastructure failure. Neutral on purpose: the hot path
 * calls this code too, so it throws no transport's error type (the Management API's filter maps the code).
 *
 * @example
 * throw new TenantError(TenantErrorCode.UserExists, 'The user already exists.');
 */
export class TenantError extends Error {
  constructor(
    readonly code: TenantErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TenantError';
  }
}
