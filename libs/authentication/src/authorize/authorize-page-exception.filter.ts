import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Overloaded } from '@libs/database';
import { isDependencyOutage, OAuthError, TemporarilyUnavailable } from '@libs/platform';
import { sendErrorPage } from './page-response';

/**
 * The browser-facing endpoints' last line: an unexpected error shows an HTML page instead of the JSON the
 * global filter writes for API callers. Infrastructure failures stay 5xx (503 + Retry-After for an outage)
 * and are logged.
 */
@Catch()
export class AuthorizePageExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AuthorizePageExceptionFilter.name);

  catch(caught: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    // PostgreSQL down (or a write that kept losing its race): 503 with Retry-After, never a 500 page.
    // Overloaded (the password hashing queue is full): 503 with its own Retry-After.
    const exception =
      caught instanceof Overloaded
        ? new OAuthError(
            503,
            'temporarily_unavailable',
            'Too many logins are being checked. Try again shortly.',
            {
              'Retry-After': String(caught.retryAfterSeconds),
            },
          )
        : isDependencyOutage(caught)
          ? new TemporarilyUnavailable('The login service is temporarily unavailable. Try again in a moment.')
          : caught;
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status === 503) this.logger.warn({ msg: 'login service unavailable', err: String(caught) });
    else if (status >= 500) this.logger.error({ msg: 'unhandled error', err: exception });
    if (res.headersSent) return;
    if (exception instanceof OAuthError) {
      sendErrorPage(
        res,
        status,
        { title: 'Something went wrong', description: exception.description, code: exception.error },
        exception.headers,
      );
      return;
    }
    sendErrorPage(res, status, {
      title: 'Something went wrong',
      description:
        status >= 500
          ? 'The login service could not complete your request. Try again in a moment.'
          : 'The request could not be processed.',
      code: status >= 500 ? 'server_error' : 'invalid_request',
    });
  }
}
