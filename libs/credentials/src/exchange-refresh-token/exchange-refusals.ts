import type { Response } from 'express';
import { DomainError, INVALID_REFRESH_TOKEN } from '@libs/domain';
import {
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  setRateLimitHeaders,
  TooManyRequests,
} from '@libs/platform';
import type { RateLimitDecision } from '@libs/security';

/** Refused after too many requests; carries the headers to send. */
export class RateLimited extends Error {
  constructor(readonly decision: RateLimitDecision) {
    super('Too many requests.');
  }
}

/** Refused because the target client does not exist. */
export class UnknownTarget extends Error {}

/** Refused because the request asked for scope the credential was not granted. */
export class ScopeNotGranted extends Error {
  constructor(readonly extra: string[]) {
    super(`Scope not granted to this refresh token: ${extra.join(' ')}`);
  }
}

/**
 * Maps the exchange's refusals to Auth0's wire errors, for both endpoints that exchange (`/delegation`,
 * the refresh_token grant); anything else stays an infrastructure error.
 */
export function translateExchangeError(error: unknown, res: Response): unknown {
  if (error instanceof DomainError && error.code === 'invalid_refresh_token') {
    return new InvalidGrant(INVALID_REFRESH_TOKEN);
  }
  if (error instanceof RateLimited) {
    setRateLimitHeaders(res, error.decision);
    return new TooManyRequests(
      'Too many requests. Try again later.',
      Math.max(1, error.decision.resetAt - Math.floor(Date.now() / 1000)),
    );
  }
  if (error instanceof UnknownTarget) return new InvalidRequest('Unknown target client.');
  if (error instanceof ScopeNotGranted) return new InvalidScope(error.message);
  return error;
}
