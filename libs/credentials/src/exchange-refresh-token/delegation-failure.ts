import type { RefreshTokenRefused } from '@libs/domain';

/** The endpoint a refused exchange came in on (Auth0 logs `fd` and `fertft` respectively). */
export type FailureEndpoint = 'delegation' | 'refresh_token';

/** One row of `delegation_failures`: who presented a refused refresh token, never the token or its hash. */
export interface DelegationFailure {
  endpoint: FailureEndpoint;
  /** The client that presented the token. */
  clientId: string;
  credentialId: string | null;
  userId: string | null;
  deviceName: string | null;
  reason: RefreshTokenRefused['reason'];
  ip: string;
  correlationId: string;
}

/** What the exchange knows about a refused request. */
export interface RefusedRequest {
  via: FailureEndpoint;
  client: { clientId: string };
  ip: string;
}

/** The row recorded for a refusal: the refusal's reason and credential, the request's origin. */
export function delegationFailure(
  refusal: RefreshTokenRefused,
  request: RefusedRequest,
  correlationId: string,
): DelegationFailure {
  return {
    endpoint: request.via,
    clientId: request.client.clientId,
    credentialId: refusal.credential?.credentialId ?? null,
    userId: refusal.credential?.userId ?? null,
    deviceName: refusal.credential?.deviceName ?? null,
    reason: refusal.reason,
    ip: request.ip,
    correlationId,
  };
}
