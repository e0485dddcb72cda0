import { DomainError } from '../errors';
import { RefreshTokenRefused } from './refresh-token-refused';
import type {
  CredentialEvent,
  IdTokenDelegated,
  IssuingGrant,
  RevocationReason,
  TokenIssued,
  TokenRevoked,
} from '../events';

/**
 * The life of one device credential (one refresh token), read top to bottom:
 * state, evolve, commands, decide. A refresh token is issued once, may be exchanged any number of
 * times while active, and is revoked at most once; nothing follows a revocation.
 */

// ---- State ------------------------------------------------------------------------------------------

export type CredentialState =
  | { status: 'none' }
  | {
      status: 'active' | 'revoked';
      credentialId: string;
      userId: string;
      clientId: string;
      deviceName: string;
      scope: string;
    };

export const initialState: CredentialState = { status: 'none' };

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
      };
    }
    case 'TokenRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
    case 'IdTokenDelegated':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
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
      return [delegate(command, state)];
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
    },
  };
}

/** Revoking twice is not an error: the second call records nothing (idempotent DELETE, RFC 7009 §2.2). */
function revoke(command: RevokeToken, state: CredentialState): TokenRevoked[] {
  if (state.status === 'none')
    throw new DomainError('credential_not_found', 'The device credential does not exist.');
  if (state.status === 'revoked') return [];
  return [
    {
      type: 'TokenRevoked',
      data: {
        credential_id: state.credentialId,
        user_id: state.userId,
        client_id: state.clientId,
        device_name: state.deviceName,
        reason: command.reason,
        actor: command.actor,
        revoked_at: command.now.toISOString(),
      },
    },
  ];
}

// ---- Refusals ---------------------------------------------------------------------------------------

/**
 * Why a presented refresh token is refused. For the audit trail only: every caller gets the same
 * answer (`invalid_refresh_token`), so a guesser learns nothing about which one it was.
 */
export type RefusalReason =
  | 'unknown_token'
  | 'revoked'
  | 'wrong_client'
  | 'user_blocked'
  | 'user_missing'
  /** `/delegation`'s id_token form: not a valid id_token of this tenant for the presenting client. */
  | 'invalid_id_token';

/**
 * Why `client` may not exchange this credential now, or null when it may: the one place the refusal
 * rules live. The credential must exist, have been issued to `client` (RFC 6749 §10.4) and not be
 * revoked; when the caller has looked its user up (`user`: null for a deleted one), a blocked or deleted
 * user's tokens stop working too, before their revocation events are recorded.
 */
export function refusalOf(
  state: CredentialState,
  client: string,
  user?: { blocked: boolean } | null,
): RefusalReason | null {
  if (state.status === 'none') return 'unknown_token';
  if (state.clientId !== client) return 'wrong_client';
  if (state.status === 'revoked') return 'revoked';
  if (user === null) return 'user_missing';
  if (user?.blocked) return 'user_blocked';
  return null;
}

function delegate(command: DelegateIdToken, state: CredentialState): IdTokenDelegated {
  if (state.status === 'none') throw new RefreshTokenRefused('unknown_token');
  const refusal = refusalOf(state, command.presentedBy);
  if (refusal) throw new RefreshTokenRefused(refusal, state);
  const active = state;
  return {
    type: 'IdTokenDelegated',
    data: {
      credential_id: active.credentialId,
      user_id: active.userId,
      client_id: active.clientId,
      target: command.target,
      api_type: command.apiType,
      id_token_jti: command.idTokenJti,
      expires_at: command.expiresAt.toISOString(),
      delegated_at: command.now.toISOString(),
      via: command.via,
      scope: command.scope,
    },
  };
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
