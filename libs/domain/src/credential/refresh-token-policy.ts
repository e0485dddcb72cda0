/**
 * A client's refresh-token policy: Auth0's `refresh_token` client object, field for field. It applies to
 * the tokens issued after it is set; each credential records the terms it was issued with (`TokenIssued`
 * since schema version 2), so changing a client's policy never changes a token already issued.
 */
export interface RefreshTokenPolicy {
  rotation_type: 'non-rotating' | 'rotating';
  expiration_type: 'non-expiring' | 'expiring';
  /** Seconds a rotated-out token may still be exchanged without counting as reuse (network retries). */
  leeway: number;
  /** Absolute lifetime (seconds) of the token family, from the first issuance. */
  token_lifetime: number;
  /** No absolute lifetime (takes precedence over `token_lifetime`). */
  infinite_token_lifetime: boolean;
  /** Seconds a token stays valid without being exchanged. */
  idle_token_lifetime: number;
  /** No idle lifetime (takes precedence over `idle_token_lifetime`). */
  infinite_idle_token_lifetime: boolean;
}

/** The legacy behaviour, every client's default: one bearer token that never rotates and never expires. */
export const LEGACY_REFRESH_TOKEN_POLICY: Readonly<RefreshTokenPolicy> = Object.freeze({
  rotation_type: 'non-rotating',
  expiration_type: 'non-expiring',
  leeway: 0,
  token_lifetime: 31_557_600, // Auth0's default: 365 days
  infinite_token_lifetime: true,
  idle_token_lifetime: 2_592_000, // 30 days
  infinite_idle_token_lifetime: true,
});

/** Auth0's bounds for the lifetimes, in seconds. */
export const MAX_TOKEN_LIFETIME = 157_788_000; // 5 years

/**
 * The longest `leeway` (seconds) a rotating family gets; larger values are refused at the Management API
 * and, in terms recorded before the cap, read as this. Auth0 documents no maximum; ORY Hydra caps its
 * grace period at 5 minutes. A retry or a second tab needs seconds (a mobile request that times out at
 * 60 s and is retried twice fits): every second beyond is a window in which a stolen previous token
 * still yields tokens. Okta's 60 s would refuse settings Auth0 tenants carry today (issue 19 finding 5).
 */
export const MAX_LEEWAY = 300;

/**
 * How many times the previous token may be exchanged again within its leeway (issue 19 finding 5).
 * Each retry returns a fresh id_token and access token to whoever holds that token, so the count bounds
 * what a stolen previous token yields; 5 covers a few concurrent tabs or SDK retries (Auth0's SDKs retry
 * a failed refresh at most a couple of times). Past it the retry is refused and the family kept: the
 * holder of the current token is not punished for a client looping, and a thief gains nothing more.
 */
export const MAX_LEEWAY_RETRIES = 5;

/**
 * The terms one credential is issued with, derived from its client's policy at that moment (and
 * recorded in its `TokenIssued`): whether it rotates, with what leeway, and when it expires.
 */
export interface RefreshTokenTerms {
  rotating: boolean;
  /** Seconds; 0 when not rotating. */
  leeway: number;
  /** The family's absolute end (ISO 8601); null: none. */
  expires_at: string | null;
  /** Seconds without an exchange after which the token expires; null: none. */
  idle_lifetime: number | null;
}

/** The legacy terms: what a credential issued before policies existed (TokenIssued v1) had. */
export const LEGACY_TERMS: Readonly<RefreshTokenTerms> = Object.freeze({
  rotating: false,
  leeway: 0,
  expires_at: null,
  idle_lifetime: null,
});

/** The terms a token issued at `issuedAt` under `policy` carries. */
export function termsOf(policy: RefreshTokenPolicy, issuedAt: Date): RefreshTokenTerms {
  const expiring = policy.expiration_type === 'expiring';
  const rotating = policy.rotation_type === 'rotating';
  return {
    rotating,
    leeway: rotating ? Math.min(policy.leeway, MAX_LEEWAY) : 0,
    expires_at:
      expiring && !policy.infinite_token_lifetime
        ? new Date(issuedAt.getTime() + policy.token_lifetime * 1000).toISOString()
        : null,
    idle_lifetime: expiring && !policy.infinite_idle_token_lifetime ? policy.idle_token_lifetime : null,
  };
}

/**
 * Why `policy` is not one Auth0 would accept, or null. The rules Auth0 applies to the object as a whole
 * (the fields' own types and ranges are the Management API's DTO's to check).
 */
export function policyProblem(policy: RefreshTokenPolicy): string | null {
  if (policy.rotation_type === 'rotating' && policy.expiration_type !== 'expiring') {
    return 'refresh_token.expiration_type must be "expiring" when rotation_type is "rotating".';
  }
  if (policy.rotation_type === 'rotating' && policy.leeway > MAX_LEEWAY) {
    return `refresh_token.leeway must not be greater than ${MAX_LEEWAY} seconds.`;
  }
  // A family that never ends can be rotated for ever: its chain (and its stream) grows without bound,
  // and a stolen token of it never runs out (issue 19 finding 5).
  if (
    policy.rotation_type === 'rotating' &&
    policy.infinite_token_lifetime &&
    policy.infinite_idle_token_lifetime
  ) {
    return 'refresh_token: a rotating token needs a token_lifetime or an idle_token_lifetime (not both infinite).';
  }
  if (policy.expiration_type === 'non-expiring' && policy.rotation_type === 'non-rotating') return null;
  if (
    !policy.infinite_token_lifetime &&
    !policy.infinite_idle_token_lifetime &&
    policy.idle_token_lifetime > policy.token_lifetime
  ) {
    return 'refresh_token.idle_token_lifetime must not be greater than token_lifetime.';
  }
  return null;
}
