import type { Response } from 'express';
import { Overloaded } from '@libs/database';
import { DomainError, INVALID_REFRESH_TOKEN, RefreshTokenRefused } from '@libs/domain';
import {
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  UnauthorizedClient,
  setRateLimitHeaders,
  TooManyRequests,
} from '@libs/platform';
import type { RateLimitDecision } from '@libs/security';

/** Auth0's text for a deleted user's refresh token (SDKs match it: Auth0.Android `isRefreshTokenDeleted`). */
export const USER_DELETED_REFRESH_TOKEN =
  "The refresh_token was generated for a user who doesn't exist anymore.";

/**
 * How an exchange ended, for the metrics: refused with the audit trail's reason, rate limited, shed under
 * overload (a full statement queue), or an error.
 */
export function exchangeOutcome(error: unknown): { outcome: string; reason: string } {
  if (error instanceof RateLimited) return { outcome: 'rate_limited', reason: '' };
  if (error instanceof Overloaded) return { outcome: 'shed', reason: error.reason };
  if (error instanceof RefreshTokenRefused) return { outcome: 'refused', reason: error.reason };
  if (error instanceof UnknownTarget) return { outcome: 'refused', reason: 'unknown_target' };
  if (error instanceof TargetNotAllowed) return { outcome: 'refused', reason: 'target_not_allowed' };
  if (error instanceof ScopeNotGranted) return { outcome: 'refused', reason: 'scope_not_granted' };
  if (error instanceof ProofOfPossessionRequired) return { outcome: 'refused', reason: 'dpop_required' };
  if (error instanceof DomainError) return { outcome: 'refused', reason: error.code };
  return { outcome: 'error', reason: '' };
}

/** Refused after too many requests; carries the headers to send. */
export class RateLimited extends Error {
  constructor(readonly decision: RateLimitDecision) {
    super('Too many requests.');
  }
}

/** Refused because the target client does not exist. */
export class UnknownTarget extends Error {}

/**
 * Refused because the target client does not accept this delegation: it lacks the jwt-bearer grant, or
 * its `allowed_clients` does not name the client asking (`rule`).
 */
export class TargetNotAllowed extends Error {
  constructor(
    readonly targetId: string,
    readonly rule: 'jwt_bearer_grant' | 'allowed_clients' = 'jwt_bearer_grant',
  ) {
    super(`Target ${targetId} refuses the delegation (${rule}).`);
  }
}

/**
 * Refused because the client requires proof of possession (Auth0's `require_proof_of_possession`) and the
 * request carries no DPoP proof: `/delegation` never can, so such a client gets no token there.
 */
export class ProofOfPossessionRequired extends Error {
  constructor() {
    super(
      'This client requires DPoP-bound tokens (require_proof_of_possession): exchange its refresh tokens ' +
        'at /oauth/token with a DPoP proof (RFC 9449).',
    );
  }
}

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
  // Only a valid token reaches the user check, so this answer tells a guesser nothing.
  if (error instanceof RefreshTokenRefused && error.reason === 'user_missing') {
    return new InvalidGrant(USER_DELETED_REFRESH_TOKEN);
  }
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
  if (error instanceof TargetNotAllowed) {
    return new UnauthorizedClient(
      error.rule === 'allowed_clients'
        ? 'The target client does not allow delegation from this client (allowed_clients).'
        : 'The target client does not accept delegation (jwt-bearer grant).',
    );
  }
  if (error instanceof ScopeNotGranted) return new InvalidScope(error.message);
  if (error instanceof ProofOfPossessionRequired) return new UnauthorizedClient(error.message);
  return error;
}
