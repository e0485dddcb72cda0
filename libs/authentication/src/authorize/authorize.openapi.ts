import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCookieAuth,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import { AUTHORIZE_CSRF_COOKIE } from '../authentication.openapi';
import { DEVICE_MAX_LENGTH, MAX_PARAM_LENGTH } from './authorize-request';

const HTML = { 'text/html': { schema: { type: 'string' } } } as const;

/** An HTML page answered with `status`; error pages show the error code in `<p class="code">`. */
const page = (status: number, description: string, headers?: ApiResponseOptions['headers']) =>
  ApiResponse({ status, description, content: HTML, headers });

const REDIRECT = ApiResponse({
  status: 302,
  description:
    'To the redirect_uri: `?code=…&state=…` after a login, or `?error=…&error_description=…&state=…` ' +
    '(`invalid_request`, `unauthorized_client`, `unsupported_response_type`, `invalid_scope`, ' +
    '`login_required`) once client and redirect_uri are trusted (RFC 6749 §4.1.2.1).',
  headers: { Location: { schema: { type: 'string', format: 'uri' } } },
});

const text = (description: string, extra: object = {}) => ({
  schema: { type: 'string' as const, maxLength: MAX_PARAM_LENGTH, ...extra },
  description,
});

/** `GET /authorize`. */
export const ApiAuthorize = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Authorization request (code flow, PKCE S256): shows the hosted login page',
      description:
        'Each parameter at most once (RFC 6749 §3.1). Until the client and its exact redirect_uri are ' +
        'known, errors are an HTML page (never an open redirect); afterwards they go back to the ' +
        'redirect_uri. Sets the `authorize_csrf` cookie the login form is checked against.',
    }),
    ApiQuery({ name: 'response_type', required: true, ...text('Only `code`.', { enum: ['code'] }) }),
    ApiQuery({ name: 'client_id', required: true, ...text('A registered application.') }),
    ApiQuery({ name: 'redirect_uri', required: true, ...text('One of its callbacks, exactly.') }),
    ApiQuery({
      name: 'scope',
      required: false,
      ...text('Space-separated: `openid`, `profile`, `email`, `offline_access`.'),
    }),
    ApiQuery({ name: 'state', required: false, ...text('Echoed to the redirect_uri.') }),
    ApiQuery({ name: 'nonce', required: false, ...text('Put in the id_token.') }),
    ApiQuery({
      name: 'device',
      required: false,
      ...text(
        `The device the refresh token is for (at most ${DEVICE_MAX_LENGTH} characters); required with offline_access.`,
      ),
    }),
    ApiQuery({
      name: 'code_challenge',
      required: false,
      ...text('BASE64URL(SHA-256(verifier)); required for public clients.', {
        pattern: '^[A-Za-z0-9_-]{43}$',
      }),
    }),
    ApiQuery({ name: 'code_challenge_method', required: false, ...text('Only `S256`.', { enum: ['S256'] }) }),
    ApiQuery({ name: 'response_mode', required: false, ...text('Only `query`.', { enum: ['query'] }) }),
    ApiQuery({ name: 'prompt', required: false, ...text('`none` answers `login_required`.') }),
    page(200, 'The login page.'),
    REDIRECT,
    page(
      400,
      'Error page: missing or repeated client_id or redirect_uri, unknown client, callback mismatch.',
    ),
  );

/** The hosted login form's fields. */
export class LoginForm {
  @ApiProperty({ description: 'The hidden field: equal to the `authorize_csrf` cookie.' })
  csrf_token: string;

  @ApiProperty({ description: 'The hidden field: the sealed authorization request.' })
  login_state: string;

  @ApiPropertyOptional()
  email?: string;

  @ApiPropertyOptional()
  password?: string;
}

/** `POST /authorize/login`. */
export const ApiAuthorizeLogin = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The hosted login form: checks CSRF and the sealed request, then the credentials',
      description: 'Failed logins are throttled per address and email (10 per 15 minutes).',
    }),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ type: LoginForm }),
    ApiCookieAuth(AUTHORIZE_CSRF_COOKIE),
    page(200, 'The login page again, saying what is wrong (missing or wrong credentials).'),
    REDIRECT,
    page(400, 'Error page: the application changed since the page was shown (`invalid_request`).'),
    page(
      403,
      'Error page: CSRF token missing or mismatched, login state expired or forged (`invalid_login_state`); or the login page for a blocked user.',
    ),
    page(429, 'Error page: too many failed attempts (`too_many_attempts`).', {
      'Retry-After': { schema: { type: 'integer' } },
    }),
  );
