import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Overloaded } from '@libs/database';
import { isDependencyOutage } from '@libs/platform';
import { renderErrorPage, type ErrorPageView } from '../pages/error.page';
import { DashboardPaths } from './dashboard-paths';
import { DashboardError, DashboardErrorCode } from './dashboard.error';

type PageText = Pick<ErrorPageView, 'title' | 'description'>;

const TEXT: Record<Exclude<DashboardErrorCode, DashboardErrorCode.LoginRequired>, PageText> = {
  [DashboardErrorCode.CrossSiteRequest]: {
    title: 'Request refused',
    description:
      'The dashboard accepts forms only from its own pages. Open the dashboard directly and try again.',
  },
  [DashboardErrorCode.InvalidCsrfToken]: {
    title: 'This form has expired',
    description:
      'The form does not belong to your current session: you may have logged out or in again meanwhile. ' +
      'Reload the page and try again.',
  },
  [DashboardErrorCode.UserNotFound]: {
    title: 'User not found',
    description: 'There is no user with this ID. It may have been deleted.',
  },
  [DashboardErrorCode.BadRequest]: {
    title: 'Bad request',
    description: 'The request is missing what this page needs.',
  },
};

/**
 * The dashboard's last line: a missing session becomes the redirect to the login page, a refusal a page
 * saying what happened, anything unexpected a 500 page (logged, without internals). The security headers
 * are already on the response (`dashboardHeaders` runs first).
 */
@Catch()
@Injectable()
export class DashboardExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(DashboardExceptionFilter.name);

  constructor(private readonly paths: DashboardPaths) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DashboardError && exception.code === DashboardErrorCode.LoginRequired) {
      if (!res.headersSent) res.status(302).setHeader('Location', this.paths.login).end();
      return;
    }
    const [status, code, text] = this.describe(exception);
    if (exception instanceof Overloaded) this.logger.warn({ msg: 'dashboard request shed', code });
    else if (status >= 500) this.logger.error({ msg: 'dashboard request failed', err: exception });
    else this.logger.warn({ msg: 'dashboard request refused', code });
    if (res.headersSent) return;
    if (exception instanceof DashboardError) res.set(exception.headers);
    if (status === 503)
      res.set('Retry-After', String(exception instanceof Overloaded ? exception.retryAfterSeconds : 5));
    res
      .status(status)
      .type('html')
      .send(
        renderErrorPage({
          ...text,
          code,
          tenantName: this.paths.tenantName,
          back: { label: 'Back to the dashboard', href: this.paths.users() },
        }),
      );
  }

  private describe(exception: unknown): [number, string, PageText] {
    if (exception instanceof DashboardError && exception.code !== DashboardErrorCode.LoginRequired) {
      return [exception.status, exception.code, TEXT[exception.code]];
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      return status === 404
        ? [404, 'not_found', { title: 'Page not found', description: 'There is nothing at this address.' }]
        : [status, 'bad_request', TEXT[DashboardErrorCode.BadRequest]];
    }
    if (exception instanceof Overloaded) {
      return [
        503,
        'temporarily_unavailable',
        {
          title: 'Temporarily unavailable',
          description: 'Too many logins are being checked right now. Try again in a moment.',
        },
      ];
    }
    if (isDependencyOutage(exception)) {
      return [
        503,
        'temporarily_unavailable',
        {
          title: 'Temporarily unavailable',
          description: 'The dashboard cannot reach its database right now. Try again in a moment.',
        },
      ];
    }
    return [
      500,
      'server_error',
      {
        title: 'Something went wrong',
        description: 'The dashboard could not complete your request. Try again in a moment.',
      },
    ];
  }
}
