import type { RefreshTokenTerms } from './credential/refresh-token-policy';

/**
 * The event catalog: the public contract other teams build on. Data is snake_case JSON; tokens never
 * appear in it, only their keyed hash. Each event belongs to the stream of one device credential
 * (`stream_id` = credential id `dcr_…`), so a credential's events are totally ordered.
 */

/** Why a credential was revoked. */
export type RevocationReason =
  | 'management_api'
  | 'dashboard_unlink'
  | 'oauth_revoke'
  | 'user_blocked'
  | 'user_deleted'
  | 'authorization_code_replay'
  /** A rotated-out token was presented after its leeway: the whole family is revoked. */
  | 'refresh_token_reuse'
  /** The user's 201st active token of one application was issued: the oldest goes (Auth0's limit). */
  | 'token_limit_exceeded'
  /** Its application was deleted (`DELETE /api/v2/clients/{id}`): every token of it goes. */
  | 'client_deleted';

/** How the refresh token was obtained. */
export type IssuingGrant = 'authorization_code' | 'password';

/**
 * Emitted when a refresh token is issued (authorization-code or password grant). Recorded before the
 * token is returned: a client never holds a token whose issuance is not durable.
 */
export interface TokenIssued {
  type: 'TokenIssued';
  data: {
    credential_id: string;
    user_id: string;
    client_id: string;
    device_name: string;
    scope: string;
    /** HMAC-SHA-256 of the token under the server's key, base64url. */
    token_hash: string;
    issued_at: string;
    grant: IssuingGrant;
    /**
     * Whether the token rotates, and when it expires, as its client's policy said at issuance (since
     * schema version 2; the legacy terms — no rotation, no expiry — for an event written before).
     */
    terms: RefreshTokenTerms;
    /**
     * RFC 7638 thumbprint of the DPoP key the token is bound to (RFC 9449): every use needs a proof by
     * that key. `null`: a bearer token (since schema version 2; always null before).
     */
    jkt: string | null;
  };
}

/**
 * Emitted when a rotating refresh token is used: the presented token is retired (if it was not
 * already) and a new token of the same family — the same credential stream — is issued. The new token
 * replaces the family's current one (since issue 19 a family has one usable token: a retry of the
 * previous token retires the token issued before it). Recorded, with the `IdTokenDelegated` of the same
 * exchange, before the new token is returned.
 */
export interface TokenRotated {
  type: 'TokenRotated';
  data: {
    credential_id: string;
    user_id: string;
    client_id: string;
    /** Keyed hash of the token presented (retired by this event unless a rotation retired it before). */
    previous_token_hash: string;
    /** Keyed hash of the new token. */
    token_hash: string;
    rotated_at: string;
  };
}

/**
 * Emitted when a rotated-out token is presented after its leeway (Auth0's `ferrt`): someone other than
 * the legitimate holder may have it. Always followed, in the same append, by `TokenRevoked` with reason
 * `refresh_token_reuse`: the whole family goes.
 */
export interface RefreshTokenReused {
  type: 'RefreshTokenReused';
  data: {
    credential_id: string;
    user_id: string;
    client_id: string;
    /** Keyed hash of the retired token that was presented. */
    token_hash: string;
    /** When that token was retired. */
    retired_at: string;
    detected_at: string;
  };
}

/**
 * Emitted the first time a token is presented past its absolute or idle lifetime: from then on the
 * credential is expired (never used again; nothing follows but nothing is revoked either).
 */
export interface TokenExpired {
  type: 'TokenExpired';
  data: {
    credential_id: string;
    user_id: string;
    client_id: string;
    device_name: string;
    /** Which lifetime ran out: the family's absolute one, or the idle one since the last use. */
    lifetime: 'absolute' | 'idle';
    /** When it ran out. */
    expired_at: string;
    /** When a presentation found it so (≥ `expired_at`). */
    observed_at: string;
  };
}

/**
 * Emitted when a credential is revoked. Once recorded, no delegation or refresh grant with the token
 * succeeds. Emitted at most once per credential.
 */
export interface TokenRevoked {
  type: 'TokenRevoked';
  data: {
    credential_id: string;
    user_id: string;
    client_id: string;
    device_name: string;
    reason: RevocationReason;
    /** Who revoked it: a client id (`<id>@clients` for Management API callers), an admin, or the system. */
    actor: string;
    revoked_at: string;
  };
}

/**
 * Emitted for every successful exchange of the refresh token for an id_token (`/delegation` or the
 * refresh_token grant). Recorded before the id_token is returned.
 */
export interface IdTokenDelegated {
  type: 'IdTokenDelegated';
  data: {
    credential_id: string;
    user_id: string;
    client_id: string;
    /** The client the id_token was issued for (`aud`). */
    target: string;
    api_type: string;
    /** `jti` of the issued id_token (never the token itself). */
    id_token_jti: string;
    expires_at: string;
    delegated_at: string;
    /**
     * The endpoint that delegated: legacy `/delegation` or the modern `refresh_token` grant; or
     * `delegation_id_token`, `/delegation`'s id_token form renewing an id_token bound to the credential
     * (no refresh token presented: not a use of the family, issue 19 finding 6). An open set.
     */
    via: 'delegation' | 'refresh_token' | 'delegation_id_token';
    /**
     * The scope the id_token was issued with, i.e. which claims were released (since schema version 2;
     * always a string when written). `null` only for an event written before: not recorded then.
     */
    scope: string | null;
  };
}

export type CredentialEvent =
  | TokenIssued
  | TokenRevoked
  | IdTokenDelegated
  | TokenRotated
  | RefreshTokenReused
  | TokenExpired;
export type CredentialEventType = CredentialEvent['type'];

/**
 * Current schema version of each event type's `data`. Any change of a type's fields (added, removed,
 * renamed, retyped) bumps it and adds an upcaster from the previous version (`upcasting/`); the
 * shapes of earlier versions stay below, because the log keeps every event as it was written.
 */
export const SCHEMA_VERSIONS: Record<CredentialEventType, number> = {
  TokenIssued: 2,
  TokenRevoked: 1,
  IdTokenDelegated: 2,
  TokenRotated: 1,
  RefreshTokenReused: 1,
  TokenExpired: 1,
};

// ---- Earlier schema versions, still in the log ------------------------------------------------------

/** `IdTokenDelegated` schema version 1 (release 0.1.0): the scope of the id_token was not recorded. */
export interface IdTokenDelegatedV1 {
  type: 'IdTokenDelegated';
  data: {
    credential_id: string;
    user_id: string;
    client_id: string;
    target: string;
    api_type: string;
    id_token_jti: string;
    expires_at: string;
    delegated_at: string;
    via: 'delegation' | 'refresh_token';
  };
}

/** `TokenIssued` schema version 1 (releases before issue 13): no terms, no sender binding. */
export interface TokenIssuedV1 {
  type: 'TokenIssued';
  data: Omit<TokenIssued['data'], 'terms' | 'jkt'>;
}

/** The envelope fields every stored and published event carries around its `type` and `data`. */
export interface EnvelopeFields {
  event_id: string;
  schema_version: number;
  stream_id: string;
  stream_version: number;
  occurred_at: string;
  correlation_id: string;
  causation_id: string | null;
  /** `hash` of the previous event of the same stream; null for the first (tamper evidence). */
  previous_hash: string | null;
  /** SHA-256 over this envelope's other fields (see the event store's `eventHash`). */
  hash: string;
}

/** An event in its envelope; a union over event types, so `switch (envelope.type)` narrows `data`. */
export type EventEnvelope<E extends { type: string; data: unknown } = CredentialEvent> = E extends unknown
  ? EnvelopeFields & { type: E['type']; data: E['data'] }
  : never;

/**
 * An envelope as stored or published by any release: current shapes and earlier schema versions.
 * Folds take `EventEnvelope`; `upcast` turns a stored one into it.
 */
export type StoredEnvelope = EventEnvelope | EventEnvelope<IdTokenDelegatedV1> | EventEnvelope<TokenIssuedV1>;

/** The domain event an envelope carries. */
export function eventOf(envelope: EventEnvelope): CredentialEvent {
  return { type: envelope.type, data: envelope.data } as CredentialEvent;
}
