/** Why the dashboard refused a request; stable, for logs and tests. */
export enum DashboardErrorCode {
  /** No valid session: the browser is sent to the login page. */
  LoginRequired = 'login_required',
  /** A state-changing request from another origin (`Origin` or `Sec-Fetch-Site`). */
  CrossSiteRequest = 'cross_site_request',
  /** A form without the CSRF token of this session (or login form). */
  InvalidCsrfToken = 'invalid_csrf_token',
  /** No such user. */
  UserNotFound = 'user_not_found',
  /** A form or query missing what the page needs. */
  BadRequest = 'bad_request',
}

const STATUS: Record<DashboardErrorCode, number> = {
  [DashboardErrorCode.LoginRequired]: 302,
  [DashboardErrorCode.CrossSiteRequest]: 403,
  [DashboardErrorCode.InvalidCsrfToken]: 403,
  [DashboardErrorCode.UserNotFound]: 404,
  [DashboardErrorCode.BadRequest]: 400,
};

/** A refusal the dashboard's exception filter turns into a page (or the login redirect). */
export class DashboardError extends Error {
  constructor(
    readonly code: DashboardErrorCode,
    message: string,
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DashboardError';
  }

  /** The HTTP status this refusal is answered with. */
  get status(): number {
    return STATUS[this.code];
  }
}
