import { DomainError } from '../errors';
import { RefreshTokenRefused } from './refresh-token-refused';
import { LEGACY_TERMS, MAX_LEEWAY, MAX_LEEWAY_RETRIES, type RefreshTokenTerms } from './refresh-token-policy';
import type {
  CredentialEvent,
  IdTokenDelegated,
  IssuingGrant,
  RefreshTokenReused,
  RevocationReason,
  TokenExpired,
  TokenIssued,
  TokenRevoked,
  TokenRotated,
} from '../events';

/**
 * The life of one device credential (one refresh-token family), read top to bottom:
 * state, evolve, commands, decide. A credential is issued once, may be exchanged any number of times
 * while active, and ends at most once — revoked, or expired; nothing follows its end.
 *
 * A rotating credential's family is its stream, with one active token at a time: each exchange retires
 * the token presented and issues the next one (`TokenRotated`). Only the immediately previous token may
 * be presented again, within the leeway and at most `MAX_LEEWAY_RETRIES` times (a network retry,
 * concurrent tabs): its new token replaces the current one, which is retired. Any other retired token —
 * the second-to-last, an older one, a replaced one — or the previous one after its leeway is a reuse
 * (Auth0's documented rule): the family is revoked.
 *
 * The state keeps what those rules need and nothing that grows with the history (a fold is linear): the
 * current token, the previous one with its retirement, a count. Whether an older hash is one of the
 * family's, and when it was retired, is the store's to answer by an index (`Presentation.retiredAt`).
 */

// ---- State ------------------------------------------------------------------------------------------

export type CredentialState =
  | { status: 'none' }
  | {
      status: 'active' | 'revoked' | 'expired';
      credentialId: string;
      userId: string;
      clientId: string;
      deviceName: string;
      scope: string;
      terms: RefreshTokenTerms;
      /** DPoP key thumbprint the family is bound to; null for bearer tokens. */
      jkt: string | null;
      issuedAt: string;
      /** The last exchange (or issuance): where the idle lifetime counts from. */
      lastUsedAt: string;
      /** Keyed hash of the family's current token: the one active token (the issued one until rotated). */
      token: string;
      /**
       * A rotating family's immediately previous token and when it was first retired: the only retired
       * token that may still be exchanged, within the leeway. Null before the first rotation.
       */
      previous: RetiredToken | null;
      /** Exchanges of `previous` since it was retired (retries within the leeway). */
      retries: number;
    };

/** A retired token of a rotating family: its keyed hash and when it was retired (ISO 8601). */
export interface RetiredToken {
  hash: string;
  retiredAt: string;
}

export const initialState: CredentialState = { status: 'none' };

type Known = Extract<CredentialState, { credentialId: string }>;

// ---- Evolve -----------------------------------------------------------------------------------------

export function evolve(state: CredentialState, event: CredentialEvent): CredentialState {
  switch (event.type) {
    case 'TokenIssued': {
      const d = event.data;
      return {
        status: 'active',
        credentialId: d.credential_id,
        userId: d.user_id,
        clientId: d.client_id,
        deviceName: d.device_name,
        scope: d.scope,
        terms: d.terms ?? LEGACY_TERMS,
        jkt: d.jkt ?? null,
        issuedAt: d.issued_at,
        lastUsedAt: d.issued_at,
        token: d.token_hash,
        previous: null,
        retries: 0,
      };
    }
    case 'TokenRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
    case 'TokenExpired':
      return state.status === 'active' ? { ...state, status: 'expired' } : state;
    case 'IdTokenDelegated':
      // An id_token renewed is no use of the refresh token: the idle lifetime keeps counting.
      return state.status === 'none' || event.data.via === 'delegation_id_token'
        ? state
        : { ...state, lastUsedAt: event.data.delegated_at };
    case 'TokenRotated':
      if (state.status === 'none') return state;
      return {
        ...state,
        lastUsedAt: event.data.rotated_at,
        token: event.data.token_hash,
        ...retirementAfter(state, event.data),
      };
    case 'RefreshTokenReused':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/**
 * The previous token and its retry count after a rotation (the device-credential view folds the same).
 * Either way the new token replaces the current one, which is retired: one active token. A retry of the
 * previous token keeps its first retirement (the leeway counts from there). Any other presented token is
 * the new previous one — also in logs written before issue 19, where a retired token could branch the
 * family: the newest token is the family's from then on.
 */
export function retirementAfter(
  before: { previous: RetiredToken | null; retries: number },
  rotated: TokenRotated['data'],
): { previous: RetiredToken; retries: number } {
  const presented = rotated.previous_token_hash;
  return before.previous !== null && presented === before.previous.hash
    ? { previous: before.previous, retries: before.retries + 1 }
    : { previous: { hash: presented, retiredAt: rotated.rotated_at }, retries: 0 };
}

// ---- Commands ---------------------------------------------------------------------------------------

export interface IssueToken {
  type: 'IssueToken';
  credentialId: string;
  userId: string;
  clientId: string;
  deviceName: string;
  scope: string;
  tokenHash: string;
  grant: IssuingGrant;
  /** The terms from the client's policy; the legacy ones (no rotation, no expiry) when absent. */
  terms?: RefreshTokenTerms;
  /** The DPoP key the token is bound to; none (a bearer token) when absent. */
  jkt?: string | null;
  now: Date;
}

export interface RevokeToken {
  type: 'RevokeToken';
  reason: RevocationReason;
  actor: string;
  now: Date;
}

export interface DelegateIdToken {
  type: 'DelegateIdToken';
  /** The client presenting the refresh token (RFC 6749 §10.4: it must be the one it was issued to). */
  presentedBy: string;
  target: string;
  apiType: string;
  idTokenJti: string;
  expiresAt: Date;
  via: IdTokenDelegated['data']['via'];
  /** The scope the id_token is issued with (the claims it releases), as the exchange computed it. */
  scope: string;
  /** Keyed hash of the refresh token presented; absent when an id_token was (`/delegation`'s other form). */
  presentedTokenHash?: string;
  /** The store's answer for an older token of the family than the state knows (`Presentation.retiredAt`). */
  presentedTokenRetiredAt?: string;
  /** Keyed hash of the token a rotating family's exchange issues next; required to exchange one. */
  rotateTo?: string;
  /** Thumbprint of the key of the request's verified DPoP proof, if it carried one. */
  dpopJkt?: string;
  now: Date;
}

export type CredentialCommand = IssueToken | RevokeToken | DelegateIdToken;

// ---- Decide -----------------------------------------------------------------------------------------

export function decide(command: CredentialCommand, state: CredentialState): CredentialEvent[] {
  switch (command.type) {
    case 'IssueToken':
      return [issue(command, state)];
    case 'RevokeToken':
      return revoke(command, state);
    case 'DelegateIdToken':
      return delegate(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

function issue(command: IssueToken, state: CredentialState): TokenIssued {
  if (state.status !== 'none') {
    throw new DomainError('credential_already_exists', `Credential ${command.credentialId} already exists.`);
  }
  if (command.deviceName.trim() === '')
    throw new DomainError('invalid_command', 'A device name is required.');
  return {
    type: 'TokenIssued',
    data: {
      credential_id: command.credentialId,
      user_id: command.userId,
      client_id: command.clientId,
      device_name: command.deviceName,
      scope: command.scope,
      token_hash: command.tokenHash,
      issued_at: command.now.toISOString(),
      grant: command.grant,
      terms: command.terms ?? { ...LEGACY_TERMS },
      jkt: command.jkt ?? null,
    },
  };
}

/** Revoking twice is not an error: the second call records nothing (idempotent DELETE, RFC 7009 §2.2). */
function revoke(command: RevokeToken, state: CredentialState): TokenRevoked[] {
  if (state.status === 'none')
    throw new DomainError('credential_not_found', 'The device credential does not exist.');
  // An expired credential is over too: nothing to revoke.
  if (state.status !== 'active') return [];
  return [revocation(state, command.reason, command.actor, command.now)];
}

function revocation(state: Known, reason: RevocationReason, actor: string, now: Date): TokenRevoked {
  return {
    type: 'TokenRevoked',
    data: {
      credential_id: state.credentialId,
      user_id: state.userId,
      client_id: state.clientId,
      device_name: state.deviceName,
      reason,
      actor,
      revoked_at: now.toISOString(),
    },
  };
}

// ---- Refusals ---------------------------------------------------------------------------------------

/**
 * Why a presented refresh token is refused. For the audit trail only: every caller gets the same
 * answer (`invalid_refresh_token`), so a guesser learns nothing about which one it was.
 */
export type RefusalReason =
  | 'unknown_token'
  | 'revoked'
  | 'expired'
  /**
   * A retired token presented other than as a retry of the previous one within the leeway (Auth0's
   * `ferrt`): the family is revoked for it.
   */
  | 'reused'
  /** The previous token presented within the leeway once more than `MAX_LEEWAY_RETRIES` allows. */
  | 'retry_limit'
  | 'wrong_client'
  | 'user_blocked'
  | 'user_missing'
  /** `/delegation`'s id_token form: not a valid id_token of this tenant for the presenting client. */
  | 'invalid_id_token'
  /** A rotating token presented where no rotated token can be returned (legacy `/delegation`). */
  | 'rotation_unsupported'
  /** A DPoP-bound credential used without a proof by its key (RFC 9449 §5). */
  | 'dpop_key_mismatch';

/** What was presented, when: the token's own rules (expiry, rotation) need it. */
export interface Presentation {
  /** Keyed hash of the refresh token presented; absent for an id_token bound to the credential. */
  tokenHash?: string;
  /**
   * When the presented token was retired, as the store's index of the family's tokens answers it, for a
   * token the state does not know (neither the current nor the previous one): it is one of the family's
   * older tokens. Absent when the store found it current, or the state knows it.
   */
  retiredAt?: string;
  now: Date;
}

/**
 * Why `client` may not exchange this credential now, or null when it may: the one place the refusal
 * rules live (the exchange decides with it, introspection answers `active` with it). The credential must
 * exist, have been issued to `client` (RFC 6749 §10.4), not be revoked nor expired; when the caller has
 * looked its user up (`user`: null for a deleted one), a blocked or deleted user's tokens stop working
 * too, before their revocation events are recorded. With a `presented` token, its lifetimes and its
 * place in a rotating family count as well.
 */
export function refusalOf(
  state: CredentialState,
  client: string,
  user?: { blocked: boolean } | null,
  presented?: Presentation,
): RefusalReason | null {
  if (state.status === 'none') return 'unknown_token';
  if (state.clientId !== client) return 'wrong_client';
  if (state.status === 'revoked') return 'revoked';
  if (state.status === 'expired') return 'expired';
  if (user === null) return 'user_missing';
  if (user?.blocked) return 'user_blocked';
  if (!presented) return null;
  if (expiryOf(state, presented.now)) return 'expired';
  return presented.tokenHash === undefined ? null : rotationRefusal(state, presented);
}

/** When and which lifetime of an active credential has run out at `now`; null while it has not. */
export function expiryOf(state: Known, now: Date): { lifetime: 'absolute' | 'idle'; expiredAt: Date } | null {
  const { absolute, idle } = lifetimeEnds(state);
  if (absolute !== null && now.getTime() >= absolute) {
    return { lifetime: 'absolute', expiredAt: new Date(absolute) };
  }
  if (idle !== null && now.getTime() >= idle) return { lifetime: 'idle', expiredAt: new Date(idle) };
  return null;
}

/**
 * When the token `tokenHash` of a credential in force runs out of time if nothing else happens: the
 * earliest of the family's absolute end, its idle end (as of its last use) and, for the previous token of
 * a rotating family, the end of its retry leeway; null when only a revocation can end it. What
 * introspection answers as `exp`; `refusalOf` with a presentation is what decides.
 */
export function usableUntil(state: Known, tokenHash?: string): Date | null {
  const { absolute, idle } = lifetimeEnds(state);
  const previous = state.previous;
  const leewayEnd =
    state.terms.rotating && previous !== null && tokenHash === previous.hash
      ? Date.parse(previous.retiredAt) + leewayOf(state) * 1000
      : null;
  const ends = [absolute, idle, leewayEnd].filter((end): end is number => end !== null);
  return ends.length === 0 ? null : new Date(Math.min(...ends));
}

/** The instants (epoch ms) a credential's absolute and idle lifetimes end; null for one it does not have. */
function lifetimeEnds(state: Known): { absolute: number | null; idle: number | null } {
  const { expires_at: absolute, idle_lifetime: idle } = state.terms;
  return {
    absolute: absolute === null ? null : Date.parse(absolute),
    idle: idle === null ? null : Date.parse(state.lastUsedAt) + idle * 1000,
  };
}

/**
 * For a rotating family: whether the presented token may still be exchanged (a non-rotating one always
 * may). The current token may; the previous one within the leeway, a bounded number of times; any other
 * token of the family is a reuse; a hash the family never issued is unknown.
 */
function rotationRefusal(state: Known, { tokenHash, retiredAt, now }: Presentation): RefusalReason | null {
  if (!state.terms.rotating || tokenHash === state.token) return null;
  const previous = state.previous;
  if (previous !== null && tokenHash === previous.hash) {
    if (!withinLeeway(state, previous.retiredAt, now)) return 'reused';
    return state.retries < MAX_LEEWAY_RETRIES ? null : 'retry_limit';
  }
  return retiredAt === undefined ? 'unknown_token' : 'reused';
}

/** A retired token presented this soon after its retirement is a retry, not a reuse. Leeway 0: never. */
function withinLeeway(state: Known, retiredAt: string, now: Date): boolean {
  const leeway = leewayOf(state);
  return leeway > 0 && now.getTime() - Date.parse(retiredAt) <= leeway * 1000;
}

/** The family's leeway in seconds, capped also for terms recorded before the cap (`MAX_LEEWAY`). */
function leewayOf(state: Known): number {
  return Math.min(state.terms.leeway, MAX_LEEWAY);
}

/**
 * An exchange: `IdTokenDelegated` (after `TokenRotated` for a rotating family). A presentation past the
 * token's lifetime records `TokenExpired`, a reuse records `RefreshTokenReused` and the family's
 * `TokenRevoked`: the caller refuses the exchange when they come back instead (`refusalRecorded`).
 * Every other refusal records nothing and throws `RefreshTokenRefused`.
 */
function delegate(command: DelegateIdToken, state: CredentialState): CredentialEvent[] {
  if (state.status === 'none') throw new RefreshTokenRefused('unknown_token');
  const now = command.now;
  // The credential's own refusals first, then its key: without a proof by a bound family's key, a
  // presentation decides nothing (a stolen retired token cannot get the family revoked).
  const standing = refusalOf(state, command.presentedBy);
  if (standing) throw new RefreshTokenRefused(standing, state);
  if (state.jkt !== null && command.dpopJkt !== state.jkt) {
    throw new RefreshTokenRefused('dpop_key_mismatch', state);
  }
  const presented: Presentation = {
    tokenHash: command.presentedTokenHash,
    retiredAt: command.presentedTokenRetiredAt,
    now,
  };
  const refusal = refusalOf(state, command.presentedBy, undefined, presented);
  if (refusal === 'expired' && state.status === 'active') return [expired(state, now)];
  if (refusal === 'reused') {
    return [reused(state, presented, now), revocation(state, 'refresh_token_reuse', 'system', now)];
  }
  if (refusal) throw new RefreshTokenRefused(refusal, state);
  // A rotating family is exchanged only where its next token can be returned: not by `/delegation`'s
  // id_token form either, which would renew it without rotation and reuse detection (finding 6).
  if (state.terms.rotating && command.presentedTokenHash === undefined) {
    throw new RefreshTokenRefused('rotation_unsupported', state);
  }
  const rotation: TokenRotated[] = [];
  if (state.terms.rotating && command.presentedTokenHash !== undefined) {
    if (command.rotateTo === undefined) throw new RefreshTokenRefused('rotation_unsupported', state);
    rotation.push({
      type: 'TokenRotated',
      data: {
        credential_id: state.credentialId,
        user_id: state.userId,
        client_id: state.clientId,
        previous_token_hash: command.presentedTokenHash,
        token_hash: command.rotateTo,
        rotated_at: now.toISOString(),
      },
    });
  }
  const delegated: IdTokenDelegated = {
    type: 'IdTokenDelegated',
    data: {
      credential_id: state.credentialId,
      user_id: state.userId,
      client_id: state.clientId,
      target: command.target,
      api_type: command.apiType,
      id_token_jti: command.idTokenJti,
      expires_at: command.expiresAt.toISOString(),
      delegated_at: now.toISOString(),
      via: command.via,
      scope: command.scope,
    },
  };
  return [...rotation, delegated];
}

function expired(state: Known, now: Date): TokenExpired {
  const expiry = expiryOf(state, now)!;
  return {
    type: 'TokenExpired',
    data: {
      credential_id: state.credentialId,
      user_id: state.userId,
      client_id: state.clientId,
      device_name: state.deviceName,
      lifetime: expiry.lifetime,
      expired_at: expiry.expiredAt.toISOString(),
      observed_at: now.toISOString(),
    },
  };
}

function reused(state: Known, { tokenHash, retiredAt }: Presentation, now: Date): RefreshTokenReused {
  const previous = state.previous;
  return {
    type: 'RefreshTokenReused',
    data: {
      credential_id: state.credentialId,
      user_id: state.userId,
      client_id: state.clientId,
      token_hash: tokenHash!,
      retired_at: previous !== null && previous.hash === tokenHash ? previous.retiredAt : retiredAt!,
      detected_at: now.toISOString(),
    },
  };
}

/**
 * The refusal an exchange's recorded events stand for (an expiry observed, a reuse detected), or null
 * when they are a successful exchange's.
 */
export function refusalRecorded(events: readonly { type: string }[]): 'expired' | 'reused' | null {
  if (events.some((e) => e.type === 'RefreshTokenReused')) return 'reused';
  if (events.some((e) => e.type === 'TokenExpired')) return 'expired';
  return null;
}

/** The decider as one value (Emmett's shape), for the command runner. */
export const credentialDecider = { decide, evolve, initialState };

/** Folds a stream's events into the state `decide` needs. */
export function replay(
  events: readonly CredentialEvent[],
  from: CredentialState = initialState,
): CredentialState {
  return events.reduce(evolve, from);
}
