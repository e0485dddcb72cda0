import type { RequestHandler, Response } from 'express';
import type { RateLimitDecision } from '@libs/security';

/** Auth0's rate-limit headers (`X-RateLimit-Reset` in epoch seconds). */
export function setRateLimitHeaders(res: Response, decision: RateLimitDecision): void {
  res.set({
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(decision.resetAt),
  });
}

/**
 * Express middleware for `/delegation`: every answer carries the X-RateLimit-* headers — refusals too
 * (400, 401, 403, 405, 429 …), as Auth0's did. An answer that set none (it was refused before a user was
 * known) reports `budget(ip)`, computed when the headers are written so that it counts this request's
 * own failure. Mounted ahead of the body parsers, so a malformed body's 400 carries them as well.
 */
export function rateLimitHeadersOnEveryAnswer(budget: (ip: string) => RateLimitDecision): RequestHandler {
  return (req, res, next) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: unknown[]) {
      if (!res.hasHeader('X-RateLimit-Limit')) setRateLimitHeaders(res, budget(req.ip ?? 'unknown'));
      return (writeHead as (...a: unknown[]) => Response).apply(this, args);
    } as Response['writeHead'];
    next();
  };
}
