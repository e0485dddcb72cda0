import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Overloaded } from '@libs/database';
import { Metrics } from '../metrics/metrics';
import { AdmissionControl } from './admission-control';

/** The refresh-token grant of `/oauth/token` is the hot path; every other grant (logins, M2M) is not. */
// `originalUrl`: a middleware mounted on a path sees `req.path` relative to it.
const isHotPath = (req: Request): boolean =>
  !req.originalUrl.startsWith('/oauth/token') ||
  (req.body as { grant_type?: unknown } | undefined)?.grant_type === 'refresh_token';

/**
 * Sheds the hot path under overload: runs before any guard, pipe or look-up of `/delegation` and the
 * refresh-token grant, and answers 503 `temporarily_unavailable` with `Retry-After` at once when
 * `AdmissionControl` refuses — nothing looked up, nothing written. Admitted requests count as in
 * flight until their response is finished or their connection closes.
 */
@Injectable()
export class AdmissionMiddleware implements NestMiddleware {
  constructor(
    private readonly admission: AdmissionControl,
    private readonly metrics: Metrics,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (!isHotPath(req)) return next();
    const refusal = this.admission.admit();
    if (refusal) return shed(res, refusal, this.metrics);
    res.once('close', () => this.admission.release());
    next();
  }
}

function shed(res: Response, refusal: Overloaded, metrics: Metrics): void {
  metrics.shed.inc({ reason: refusal.reason });
  res
    .status(503)
    // RFC 9110 §10.2.3; RFC 6749 §5.1: token responses, errors included, are never cached.
    .set({
      'Retry-After': String(refusal.retryAfterSeconds),
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    })
    .json({
      error: 'temporarily_unavailable',
      error_description: 'The service is overloaded. Try again shortly.',
    });
}
