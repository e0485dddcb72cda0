/**
 * The part of the refresh-token service's event contract this consumer reads, declared the way another
 * team would declare it: no import from the service, and every message checked at runtime, because the
 * topic is another service's output. The full contract is in the service's README ("The event contract").
 */

/** The event topic's name; the service puts its `KAFKA_TOPIC_PREFIX` in front. */
export const EVENT_TOPIC = 'auth.device-credentials.events.v1';

/** The only schema version of `TokenRevoked` this consumer understands. */
export const TOKEN_REVOKED_VERSION = 1;

/** The only schema version of `TokenExpired` this consumer understands. */
export const TOKEN_EXPIRED_VERSION = 1;

/**
 * The event types that end a credential, with the schema version read here: a deny-list applies these
 * and skips every other type (`TokenIssued`, `IdTokenDelegated`, `TokenRotated`, `RefreshTokenReused` —
 * a reuse is always followed by the `TokenRevoked` that ends the family — and types added later).
 */
const ENDINGS: Record<string, number> = {
  TokenRevoked: TOKEN_REVOKED_VERSION,
  TokenExpired: TOKEN_EXPIRED_VERSION,
};

/** The envelope fields read here; the service also sends `correlation_id`, `causation_id`, the hashes. */
export interface Envelope<Type extends string = string, Data = unknown> {
  /** Unique per event; the same value on a redelivered copy, so it is the deduplication key. */
  event_id: string;
  type: Type;
  schema_version: number;
  /** The credential id (`dcr_…`); also the message key, so one credential's events stay in order. */
  stream_id: string;
  /** 1, 2, … per credential, without gaps. */
  stream_version: number;
  occurred_at: string;
  data: Data;
}

/** `data` of `TokenRevoked`, schema version 1. */
export interface TokenRevokedData {
  credential_id: string;
  user_id: string;
  client_id: string;
  device_name: string;
  /**
   * Why it was revoked: `management_api`, `dashboard_unlink`, `oauth_revoke`, `user_blocked`,
   * `user_deleted`, `authorization_code_replay`, `refresh_token_reuse`, `token_limit_exceeded`,
   * `client_deleted` today.
   * Typed as an open set: a reason added later is still a revocation, and a consumer must never drop
   * one because it does not know the reason.
   */
  reason: string;
  /** Who revoked it: a client id (`<id>@clients` for Management API callers), an admin, or the system. */
  actor: string;
  revoked_at: string;
}

/** A `TokenRevoked` event that passed the runtime checks. */
export type TokenRevoked = Envelope<'TokenRevoked', TokenRevokedData>;

/**
 * `data` of `TokenExpired`, schema version 1: a token was presented past its absolute or idle lifetime.
 * The credential has ended as surely as a revoked one (it is never used again, and never revoked either).
 */
export interface TokenExpiredData {
  credential_id: string;
  user_id: string;
  client_id: string;
  device_name: string;
  /** Which lifetime ran out: `absolute` or `idle` today; read as an open set, an expiry is an expiry. */
  lifetime: string;
  /** When it ran out. */
  expired_at: string;
  /** When a presentation found it so. */
  observed_at: string;
}

/** A `TokenExpired` event that passed the runtime checks. */
export type TokenExpired = Envelope<'TokenExpired', TokenExpiredData>;

/** What a Kafka message turned out to be. */
export type Reading =
  | { kind: 'revocation'; event: TokenRevoked }
  | { kind: 'expiry'; event: TokenExpired }
  /** A well-formed event of a type this consumer does not handle (most of the topic's traffic). */
  | { kind: 'other'; type: string }
  /** Not an event at all, or a `TokenRevoked` / `TokenExpired` missing what the contract promises. */
  | { kind: 'malformed'; reason: string }
  /** A `TokenRevoked` or `TokenExpired` of a schema version this consumer was not written for. */
  | { kind: 'unsupported'; type: string; schemaVersion: number };

/** The `data` fields of each type read here; each a string, empty only for `device_name`. */
const FIELDS: Record<string, string[]> = {
  TokenRevoked: ['credential_id', 'user_id', 'client_id', 'device_name', 'reason', 'actor', 'revoked_at'],
  TokenExpired: [
    'credential_id',
    'user_id',
    'client_id',
    'device_name',
    'lifetime',
    'expired_at',
    'observed_at',
  ],
};

/** The fields of a Kafka message this module reads; a kafkajs `KafkaMessage` fits. */
export interface WireMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isText = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

const header = (message: WireMessage, name: string): string | undefined => {
  const value = message.headers?.[name];
  return value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value);
};

/** Classifies a message from the event topic; never throws, whatever the bytes. */
export function readMessage(message: WireMessage): Reading {
  // The `event_type` header lets most messages be skipped without parsing their JSON.
  const typeHeader = header(message, 'event_type');
  if (typeHeader !== undefined && !Object.hasOwn(ENDINGS, typeHeader))
    return { kind: 'other', type: typeHeader };

  if (message.value === null || message.value.length === 0)
    return { kind: 'malformed', reason: 'empty value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString());
  } catch {
    return { kind: 'malformed', reason: 'value is not JSON' };
  }
  if (
    !isObject(parsed) ||
    !isText(parsed.event_id) ||
    !isText(parsed.type) ||
    !Number.isInteger(parsed.schema_version) ||
    !isText(parsed.stream_id) ||
    !Number.isInteger(parsed.stream_version) ||
    !isObject(parsed.data)
  ) {
    return { kind: 'malformed', reason: 'value is not an event envelope' };
  }
  if (typeHeader !== undefined && typeHeader !== parsed.type) {
    return { kind: 'malformed', reason: 'event_type header does not match the envelope' };
  }
  const type = parsed.type;
  if (!Object.hasOwn(ENDINGS, type)) return { kind: 'other', type };

  // Checked before the data: a later version may reshape it, and guessing would risk a wrong deny-list.
  const schemaVersion = parsed.schema_version as number;
  if (schemaVersion !== ENDINGS[type]) return { kind: 'unsupported', type, schemaVersion };

  const data = parsed.data;
  const missing = FIELDS[type].filter(
    (f) => typeof data[f] !== 'string' || (f !== 'device_name' && data[f] === ''),
  );
  if (missing.length > 0) return { kind: 'malformed', reason: `${type} without ${missing.join(', ')}` };
  if (data.credential_id !== parsed.stream_id) {
    return { kind: 'malformed', reason: `${type} credential_id differs from stream_id` };
  }
  if (message.key != null && message.key.toString() !== parsed.stream_id) {
    return { kind: 'malformed', reason: 'message key differs from stream_id' };
  }
  return type === 'TokenRevoked'
    ? { kind: 'revocation', event: parsed as unknown as TokenRevoked }
    : { kind: 'expiry', event: parsed as unknown as TokenExpired };
}
