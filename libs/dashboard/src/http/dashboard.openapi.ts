import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
} from '@nestjs/swagger';
import { DASHBOARD_SESSION } from '../dashboard.openapi';

const HTML = { 'text/html': { schema: { type: 'string' } } } as const;
const LOCATION = { Location: { schema: { type: 'string' } } } as const;

/** An HTML page; error pages show their code in `<p class="mono">`. */
const page = (status: number, description: string) => ApiResponse({ status, description, content: HTML });
const redirect = (status: 302 | 303, description: string) =>
  ApiResponse({ status, description, headers: LOCATION });

const SIGNED_IN = [
  ApiSecurity(DASHBOARD_SESSION),
  redirect(302, 'No valid session: to the login page.'),
] as const;
const FORM_REFUSED = page(
  403,
  'Error page: the form came from another origin (`cross_site_request`) or without this session’s ' +
    'CSRF token (`invalid_csrf_token`).',
);
const USER_ID = ApiParam({ name: 'id', description: 'The user_id (`auth0|…`).', schema: { type: 'string' } });
const NO_USER = page(404, 'Error page: no such user (`user_not_found`).');

export class DashboardLoginForm {
  @ApiProperty({ description: 'From the login page, bound to its `dashboard_login` cookie.' })
  csrf_token: string;

  @ApiPropertyOptional()
  email?: string;

  @ApiPropertyOptional()
  password?: string;
}

export class DashboardSessionForm {
  @ApiProperty({ description: 'From any dashboard page, bound to the session.' })
  csrf_token: string;
}

export class UnlinkForm extends DashboardSessionForm {
  @ApiProperty()
  client_id: string;

  @ApiProperty({ description: 'The device name.' })
  device: string;
}

export const ApiDashboardHome = () =>
  applyDecorators(
    ApiOperation({ summary: 'The dashboard’s home: redirects to the users list' }),
    ...SIGNED_IN,
  );

export const ApiDashboardLoginPage = () =>
  applyDecorators(
    ApiOperation({ summary: 'The login form (sets the `dashboard_login` cookie)' }),
    page(200, 'The login page.'),
    redirect(302, 'Already signed in: to the users list.'),
  );

export const ApiDashboardLogin = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Sign in: starts a session',
      description: 'Failed logins are throttled per address and email (5 per 15 minutes).',
    }),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ type: DashboardLoginForm }),
    redirect(303, 'Signed in: to the users list, with the `dashboard_session` cookie.'),
    page(200, 'The login page again: missing or wrong credentials.'),
    FORM_REFUSED,
    page(429, 'The login page again: too many failed attempts (`Retry-After`).'),
  );

export const ApiDashboardLogout = () =>
  applyDecorators(
    ApiOperation({ summary: 'Sign out: ends the session on the server' }),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ type: DashboardSessionForm }),
    ...SIGNED_IN,
    redirect(303, 'Signed out: to the login page.'),
    FORM_REFUSED,
  );

export const ApiDashboardUsers = () =>
  applyDecorators(
    ApiOperation({ summary: 'Users, 25 per page by email, with a search on email, name and nickname' }),
    ApiQuery({
      name: 'q',
      required: false,
      schema: { type: 'string', description: 'At most 200 characters are used.' },
    }),
    ApiQuery({ name: 'page', required: false, schema: { type: 'integer', minimum: 1, default: 1 } }),
    ...SIGNED_IN,
    page(200, 'The users page.'),
  );

export const ApiDashboardUser = () =>
  applyDecorators(
    ApiOperation({ summary: 'A user and their Devices tab' }),
    USER_ID,
    ...SIGNED_IN,
    page(200, 'The user page.'),
    NO_USER,
  );

export const ApiDashboardConfirmUnlink = () =>
  applyDecorators(
    ApiOperation({ summary: 'Confirm unlinking a device' }),
    USER_ID,
    ApiQuery({ name: 'client_id', required: false, schema: { type: 'string' } }),
    ApiQuery({ name: 'device', required: false, schema: { type: 'string' } }),
    ...SIGNED_IN,
    page(200, 'The confirmation page.'),
    redirect(303, 'Nothing left to revoke on this device: back to the user.'),
    NO_USER,
  );

export const ApiDashboardUnlink = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Unlink a device: revokes its refresh tokens',
      description: 'Each revocation is durable before the redirect.',
    }),
    USER_ID,
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ type: UnlinkForm }),
    ...SIGNED_IN,
    redirect(303, 'Done: back to the user, saying how many tokens were revoked.'),
    page(400, 'Error page: client_id or device missing (`bad_request`).'),
    FORM_REFUSED,
    NO_USER,
  );
