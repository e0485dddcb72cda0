import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Overloaded } from '@libs/database';
import { DpopError } from '@libs/security';
import { oauthCodeForStatus, type OAuthErrorBody } from './oauth-error';
import { OAuthError } from './oauth-errors';

/** Errors raised before a handler runs (body parser, router) carry an HTTP status of their own. */
interface StatusError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const BODY_PARSER_DESCRIPTIONS: Record<string, string> = {
  'entity.parse.failed': 'The request body could not be parsed.',
  'entity.too.large': 'The request body is too large.',
  'encoding.unsupported': 'The request body encoding is not supported.',
  'charset.unsupported': 'The request body charset is not supported.',
  'request.aborted': 'The request was aborted.',
};

/**
 * The HTTP transport's last line: every error leaves as `{error, error_description}` with its status.
 * Client mistakes stay 4xx; anything unexpected is logged and answered 500 without internals.
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(OAuthExceptionFilter.name);

  /** `onOutage` hears of each dependency outage answered 503 (the metrics count them). */
  constructor(private readonly onOutage?: (error: unknown) => void) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = describeError(exception);
    if (status === 503 && !(exception instanceof Overloaded)) this.onOutage?.(exception);
    logServerError(this.logger, status, exception);
    if (res.headersSent) return;
    if (exception instanceof OAuthError || exception instanceof DpopError) res.set(exception.headers);
    if (exception instanceof Overloaded) res.set('Retry-After', String(exception.retryAfterSeconds));
    if (status === 503) res.set('Retry-After', res.get('Retry-After') ?? '5');
    // RFC 6749 §5.1: token responses, errors included, are never cached.
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    res.status(status).json(body);
  }
}

/**
 * The status and `{error, error_description}` an error is answered with: its own for wire errors and
 * body-parser refusals, 503 for a dependency outage, 500 (without internals) for anything else.
 */
export function describeError(exception: unknown): [number, OAuthErrorBody] {
  // RFC 9449 §5, §8: a refused DPoP proof is a 400 with its own code (its `DPoP-Nonce` header: above).
  if (exception instanceof DpopError) {
    return [exception.status, { error: exception.error, error_description: exception.message }];
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'error_description' in response) {
      return [status, response as OAuthErrorBody];
    }
    return [
      status,
      { error: oauthCodeForStatus(status), error_description: describeHttpException(exception) },
    ];
  }
  const error = exception as StatusError | undefined;
  const status = error?.status ?? error?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const description = (error?.type && BODY_PARSER_DESCRIPTIONS[error.type]) ?? 'The request is malformed.';
    return [status, { error: oauthCodeForStatus(status), error_description: description }];
  }
  if (exception instanceof Overloaded) {
    return [
      503,
      {
        error: 'temporarily_unavailable',
        error_description: 'The service is overloaded. Try again shortly.',
      },
    ];
  }
  if (isDependencyOutage(exception)) {
    return [
      503,
      {
        error: 'temporarily_unavailable',
        error_description: 'The service is temporarily unavailable. Try again shortly.',
      },
    ];
  }
  return [500, { error: 'server_error', error_description: 'An unexpected error occurred.' }];
}

/** Logs what `describeError` answered with a 5xx: an outage as a warning, anything else as an error. */
export function logServerError(logger: Logger, status: number, exception: unknown): void {
  if (status === 503) logger.warn({ msg: 'dependency unavailable', err: String(exception) });
  else if (status >= 500) logger.error({ msg: 'unhandled error', err: exception });
}

// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown,
// restart), 53300 (too many connections), and the node socket errors of a dependency that is down.
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const OUTAGE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/**
 * True for errors that mean a dependency is down or a write kept losing a race (503 + Retry-After), not
 * that the request was wrong.
 */
export function isDependencyOutage(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'ERR_STREAM_VERSION_CONFLICT') return true;
  if (typeof e.code === 'string' && (OUTAGE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (typeof e.message === 'string' && OUTAGE_MESSAGES.test(e.message)) return true;
  return e.driverError !== undefined && isDependencyOutage(e.driverError);
}

function describeHttpException(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}
