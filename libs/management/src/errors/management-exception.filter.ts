import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { oauthCodeForStatus } from '@libs/platform';
import { TenantError, TenantErrorCode } from '@libs/tenants';
import { ManagementApiError, ManagementErrorCode, statusOf } from './management-api.error';

/** Auth0's Management API error body, plus the OAuth `error_description` every endpoint of this service carries. */
export interface ManagementErrorBody {
  statusCode: number;
  /** The HTTP reason phrase (`Bad Request`, `Not Found`…), as Auth0's Management API writes it. */
  error: string;
  message: string;
  errorCode: string;
  /** The same text as `message`. */
  error_description: string;
}

// Connection-level failures of PostgreSQL or its pool: the service is briefly unable, not broken.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '53300',
]);

function isUnavailable(exception: unknown): boolean {
  const error = exception as { code?: unknown; message?: unknown } | undefined;
  const code = typeof error?.code === 'string' ? error.code : '';
  const message = typeof error?.message === 'string' ? error.message : '';
  return (
    UNAVAILABLE_CODES.has(code) ||
    code.startsWith('08') ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  );
}

// A failed query carries its parameters (password and secret hashes among them): log only what diagnoses.
function loggable(exception: unknown): Record<string, unknown> {
  if (!(exception instanceof Error)) return { value: String(exception) };
  const { code } = exception as { code?: unknown };
  return { type: exception.name, message: exception.message, code, stack: exception.stack };
}

/** The Management API's code for each refusal of a client or user rule (Auth0's `errorCode` values). */
const TENANT_ERROR_CODES: Record<TenantErrorCode, ManagementErrorCode> = {
  [TenantErrorCode.WeakPassword]: ManagementErrorCode.InvalidPassword,
  [TenantErrorCode.UserExists]: ManagementErrorCode.UserExists,
  [TenantErrorCode.InvalidUserSearch]: ManagementErrorCode.InvalidQueryString,
  [TenantErrorCode.InvalidMetadata]: ManagementErrorCode.InvalidBody,
};

function describeHttpException(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * The one error translator of the Management API controllers (`@UseFilters(ManagementExceptionFilter)`):
 * refusals keep their status and code; anything else is an infrastructure failure, logged and answered
 * 503 or 500 — never a 4xx, so an outage is not mistaken for a bad request.
 */
@Catch()
export class ManagementExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ManagementExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, errorCode, message] = this.describe(exception);
    if (status >= 500) this.logger.error({ err: loggable(exception) }, 'management api failure');
    if (res.headersSent) return;
    // RFC 6750 §3: a refused bearer token is answered with a challenge naming the error.
    if (errorCode === ManagementErrorCode.MissingAuthentication) res.setHeader('WWW-Authenticate', 'Bearer');
    if (
      errorCode === ManagementErrorCode.InvalidToken ||
      errorCode === ManagementErrorCode.InsufficientScope
    ) {
      res.setHeader('WWW-Authenticate', `Bearer error="${errorCode}"`);
    }
    const body: ManagementErrorBody = {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message,
      errorCode,
      error_description: message,
    };
    res.status(status).json(body);
  }

  private describe(exception: unknown): [status: number, errorCode: string, message: string] {
    if (exception instanceof ManagementApiError) return [exception.status, exception.code, exception.message];
    if (exception instanceof TenantError) {
      const code = TENANT_ERROR_CODES[exception.code];
      return [statusOf(code), code, exception.message];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, oauthCodeForStatus(status), describeHttpException(exception)];
    }
    if (isUnavailable(exception)) {
      return [503, 'temporarily_unavailable', 'The service is temporarily unavailable, try again later.'];
    }
    return [500, 'server_error', 'An unexpected error occurred.'];
  }
}
