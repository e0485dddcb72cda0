import type { Response } from 'express';
import type { RateLimitDecision } from '@libs/security';

/** Auth0's rate-limit headers (`X-RateLimit-Reset` in epoch seconds). */
export function setRateLimitHeaders(res: Response, decision: RateLimitDecision): void {
  res.set({
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(decision.resetAt),
  });
}
