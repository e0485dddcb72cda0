import { Body, Controller, Get, Logger, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '@libs/config';
import { ClientRepository, UserRepository } from '@libs/tenants';
import { API_TAGS } from '@libs/platform';
import { constantTimeEqual, LoginAttemptLimiter, randomToken, SecretKeys } from '@libs/security';
import { AuthorizationCodeStore } from '../authorization-codes/authorization-code.store';
import { AuthorizePageExceptionFilter } from './authorize-page-exception.filter';
import { ApiAuthorize, ApiAuthorizeLogin } from './authorize.openapi';
import { renderLoginPage } from './authorize-pages';
import {
  queryOf,
  validateAuthorizeRequest,
  type AuthorizeOutcome,
  type AuthorizeQuery,
} from './authorize-request';
import { redirectTo } from './authorization-response';
import { authorizePath, csrfCookie, isCsrfToken, readCookie, type CsrfCookie } from './csrf-cookie';
import { sealLoginState, unsealLoginState } from './login-state';
import { formActionSource } from './page-headers';
import { sendErrorPage, sendPage, sendRedirect } from './page-response';

/** Shown for an unknown email and for a wrong password alike, so the page never tells which it was. */
export const WRONG_CREDENTIALS = 'Wrong email or password.';
/** Auth0's wording for a blocked user who gave the right password. */
export const USER_BLOCKED = 'user is blocked';

type LoginOutcome = Extract<AuthorizeOutcome, { kind: 'login' }>;

/**
 * `GET /authorize` (authorization code flow with PKCE, RFC 6749 §4.1 and RFC 7636) and its hosted login
 * form, `POST /authorize/login`. Errors before the redirect_uri is trusted, and CSRF failures, are pages;
 * later errors and the code go back to the redirect_uri with `state`.
 */
@ApiTags(API_TAGS.authentication)
@Controller('authorize')
@UseFilters(AuthorizePageExceptionFilter)
export class AuthorizeController {
  private readonly logger = new Logger(AuthorizeController.name);
  private readonly cookie: CsrfCookie;
  private readonly loginAction: string;

  constructor(
    private readonly clients: ClientRepository,
    private readonly users: UserRepository,
    private readonly codes: AuthorizationCodeStore,
    private readonly keys: SecretKeys,
    private readonly limiter: LoginAttemptLimiter,
    config: AppConfig,
  ) {
    this.cookie = csrfCookie(config.publicUrl);
    this.loginAction = `${authorizePath(config.publicUrl)}/login`;
  }

  /** Validates an authorization request and shows the login page, or answers its error. */
  @Get()
  @ApiAuthorize()
  async authorize(@Query() query: AuthorizeQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.validate(query);
    if (outcome.kind !== 'login') return this.refuse(res, outcome);
    // Reusing a cookie we issued keeps a login page open in another tab valid.
    const existing = readCookie(req.headers.cookie, this.cookie.name);
    const csrfToken = isCsrfToken(existing) ? existing : randomToken(32);
    res.cookie(this.cookie.name, csrfToken, this.cookie.options);
    this.showLogin(res, 200, outcome, csrfToken, '', null);
  }

  /** Checks the login form's CSRF token and sealed request, then the credentials; redirects with a code. */
  @Post('login')
  @ApiAuthorizeLogin()
  async login(
    @Body() body: Record<string, unknown> | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const form = body ?? {};
    const csrfToken = readCookie(req.headers.cookie, this.cookie.name);
    const field = form.csrf_token;
    const sealed = form.login_state;
    // Double submit: a cross-site form carries neither our SameSite cookie nor a matching field.
    if (
      !isCsrfToken(csrfToken) ||
      typeof field !== 'string' ||
      !constantTimeEqual(csrfToken, field) ||
      typeof sealed !== 'string'
    ) {
      return this.forbidden(res, 'csrf token missing or mismatched');
    }
    const opened = unsealLoginState(sealed, csrfToken, this.keys.key('csrf'), new Date());
    if (!opened.ok) return this.forbidden(res, `login state ${opened.reason}`);

    // The application may have changed (callbacks, grants, deleted) since the page was shown.
    const outcome = await this.validate(queryOf(opened.request));
    if (outcome.kind !== 'login') return this.refuse(res, outcome);

    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const password = typeof form.password === 'string' ? form.password : '';
    if (!email || !password) {
      return this.showLogin(res, 200, outcome, csrfToken, email, 'Enter your email and password.');
    }

    // Counted before scrypt runs (issue 19, finding 3), under the same budgets as the password grant.
    const attempt = await this.limiter.begin(req.ip ?? req.socket.remoteAddress ?? '', email);
    if (attempt.refusal) {
      return sendErrorPage(
        res,
        429,
        {
          title: 'Too many attempts',
          description: 'Too many failed login attempts. Wait a few minutes, then try again.',
          code: 'too_many_attempts',
        },
        { 'Retry-After': String(attempt.refusal.retryAfterSeconds) },
      );
    }

    let user;
    try {
      user = await this.users.verifyPassword(email, password);
    } catch (error) {
      // Not checked (e.g. the hashing queue is full: 503): not a failure either.
      await attempt.abandoned();
      throw error;
    }
    if (!user) return this.showLogin(res, 200, outcome, csrfToken, email, WRONG_CREDENTIALS);
    if (user.blocked) {
      // The right password, so no failure; but it ends no run either (as before issue 19).
      await attempt.abandoned();
      return this.showLogin(res, 403, outcome, csrfToken, email, USER_BLOCKED);
    }

    await attempt.succeeded();
    await this.users.recordLogin(user.userId);
    const { request } = outcome;
    const code = await this.codes.issue({
      clientId: request.clientId,
      userId: user.userId,
      redirectUri: request.redirectUri,
      scope: request.scope,
      device: request.device,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      authTime: new Date(),
    });
    // The form is spent; a replayed POST (back button) now fails the CSRF check instead of logging in again.
    const { maxAge: _maxAge, ...clearOptions } = this.cookie.options;
    res.clearCookie(this.cookie.name, clearOptions);
    sendRedirect(res, redirectTo(request.redirectUri, { code, state: request.state }));
  }

  private async validate(query: AuthorizeQuery): Promise<AuthorizeOutcome> {
    const clientId = query.client_id;
    const client = typeof clientId === 'string' && clientId ? await this.clients.findById(clientId) : null;
    return validateAuthorizeRequest(query, client);
  }

  private refuse(res: Response, outcome: Exclude<AuthorizeOutcome, LoginOutcome>): void {
    if (outcome.kind === 'error-page') {
      // RFC 6749 §4.1.2.1: never redirect to an unverified redirect_uri (an open redirector otherwise).
      return sendErrorPage(res, 400, {
        title: 'Something went wrong',
        description: outcome.description,
        code: 'invalid_request',
      });
    }
    sendRedirect(
      res,
      redirectTo(outcome.redirectUri, {
        error: outcome.error,
        error_description: outcome.description,
        state: outcome.state,
      }),
    );
  }

  private forbidden(res: Response, reason: string): void {
    this.logger.warn({ msg: 'login form refused', reason });
    sendErrorPage(res, 403, {
      title: 'This login page is no longer valid',
      description:
        'The login form expired or was not sent from this site. Go back to the application and sign in again.',
      code: 'invalid_login_state',
    });
  }

  private showLogin(
    res: Response,
    status: number,
    { client, request }: LoginOutcome,
    csrfToken: string,
    email: string,
    error: string | null,
  ): void {
    // A fresh seal on every page restarts the expiry, so a user retrying a password is not timed out.
    const loginState = sealLoginState(request, csrfToken, this.keys.key('csrf'), new Date());
    const callback = formActionSource(request.redirectUri);
    sendPage(
      res,
      status,
      (styleNonce) =>
        renderLoginPage({
          applicationName: client.name,
          deviceName: request.device,
          action: this.loginAction,
          csrfToken,
          loginState,
          email,
          error,
          styleNonce,
        }),
      { formTargets: callback ? [callback] : [] },
    );
  }
}
