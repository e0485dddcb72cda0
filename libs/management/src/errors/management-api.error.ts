/** Stable codes of the Management API's refusals (Auth0's `errorCode` values where Auth0 has one). */
export enum ManagementErrorCode {
  /** The JSON body breaks the endpoint's schema or rules. */
  InvalidBody = 'invalid_body',
  /** The query string breaks the endpoint's schema. */
  InvalidQueryString = 'invalid_query_string',
  /** A path parameter is malformed. */
  InvalidUri = 'invalid_uri',
  /** The password does not meet the connection's policy. */
  InvalidPassword = 'invalid_password',
  /** The named connection does not exist on this tenant. */
  InexistentConnection = 'inexistent_connection',
  /** A user with this email already exists in the connection (Auth0's code for it). */
  UserExists = 'auth0_idp_error',
  /** No user has this id. */
  InexistentUser = 'inexistent_user',
  /** No client has this id. */
  InexistentClient = 'inexistent_client',
  /** No device credential has this id. */
  InexistentDeviceCredential = 'inexistent_device_credential',
  /** No refresh token in force (neither revoked nor expired) has this id. */
  InexistentRefreshToken = 'inexistent_refresh_token',
  /** No `Authorization: Bearer` credential was sent. */
  MissingAuthentication = 'missing_authentication',
  /** The bearer token is malformed, forged, expired or not meant for this API. */
  InvalidToken = 'invalid_token',
  /** The bearer token lacks a scope the endpoint requires. */
  InsufficientScope = 'insufficient_scope',
  /** A client asked for Management API scopes it was not granted (client_credentials grant). */
  AccessDenied = 'access_denied',
  /** A client may not use the client_credentials grant. */
  UnauthorizedClient = 'unauthorized_client',
  /** The operation would break the tenant itself (deleting the bootstrap Management API client). */
  OperationNotSupported = 'operation_not_supported',
}

/** The HTTP status each code is answered with. */
export function statusOf(code: ManagementErrorCode): number {
  switch (code) {
    case ManagementErrorCode.InvalidBody:
    case ManagementErrorCode.InvalidQueryString:
    case ManagementErrorCode.InvalidUri:
    case ManagementErrorCode.InvalidPassword:
    case ManagementErrorCode.InexistentConnection:
      return 400;
    case ManagementErrorCode.MissingAuthentication:
    case ManagementErrorCode.InvalidToken:
      return 401;
    case ManagementErrorCode.InsufficientScope:
    case ManagementErrorCode.AccessDenied:
    case ManagementErrorCode.UnauthorizedClient:
    case ManagementErrorCode.OperationNotSupported:
      return 403;
    case ManagementErrorCode.InexistentUser:
    case ManagementErrorCode.InexistentClient:
    case ManagementErrorCode.InexistentDeviceCredential:
    case ManagementErrorCode.InexistentRefreshToken:
      return 404;
    case ManagementErrorCode.UserExists:
      return 409;
    default: {
      const exhaustive: never = code;
      throw new TypeError(`Unknown management error code ${String(exhaustive)}`);
    }
  }
}

/**
 * A refusal of the Management API (bad input, unknown id, missing scope); never an infrastructure failure.
 * `ManagementExceptionFilter` turns it into its HTTP status and Auth0's error body.
 *
 * @example
 * throw new ManagementApiError(ManagementErrorCode.InexistentUser, 'The user does not exist.');
 */
export class ManagementApiError extends Error {
  constructor(
    readonly code: ManagementErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ManagementApiError';
  }

  /** The HTTP status this refusal is answered with. */
  get status(): number {
    return statusOf(this.code);
  }
}
