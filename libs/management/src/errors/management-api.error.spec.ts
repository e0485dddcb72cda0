import { ManagementApiError, ManagementErrorCode, statusOf } from './management-api.error';

describe('ManagementApiError', () => {
  it.each([
    [ManagementErrorCode.InvalidBody, 400],
    [ManagementErrorCode.InvalidQueryString, 400],
    [ManagementErrorCode.InvalidUri, 400],
    [ManagementErrorCode.InvalidPassword, 400],
    [ManagementErrorCode.InexistentConnection, 400],
    [ManagementErrorCode.MissingAuthentication, 401],
    [ManagementErrorCode.InvalidToken, 401],
    [ManagementErrorCode.InsufficientScope, 403],
    [ManagementErrorCode.AccessDenied, 403],
    [ManagementErrorCode.UnauthorizedClient, 403],
    [ManagementErrorCode.InexistentUser, 404],
    [ManagementErrorCode.InexistentClient, 404],
    [ManagementErrorCode.InexistentDeviceCredential, 404],
    [ManagementErrorCode.InexistentRefreshToken, 404],
    [ManagementErrorCode.UserExists, 409],
  ])('answers %s with %i', (code, status) => {
    expect(statusOf(code)).toBe(status);
    expect(new ManagementApiError(code, 'x').status).toBe(status);
  });

  it('uses Auth0 wire codes', () => {
    expect(ManagementErrorCode.UserExists).toBe('auth0_idp_error');
    expect(ManagementErrorCode.InsufficientScope).toBe('insufficient_scope');
    expect(ManagementErrorCode.InvalidBody).toBe('invalid_body');
  });
});
