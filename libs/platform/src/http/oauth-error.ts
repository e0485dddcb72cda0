/** The wire shape of every error the service returns (RFC 6749 §5.2, Auth0's bodies). */
export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** The OAuth error code Auth0 uses for a bare HTTP status. */
export function oauthCodeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'invalid_client';
    case 403:
      return 'access_denied';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 413:
      return 'request_entity_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'too_many_requests';
    case 503:
      return 'temporarily_unavailable';
    default:
      return status >= 500 ? 'server_error' : 'invalid_request';
  }
}
