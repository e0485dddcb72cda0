import {
  SCHEMA_VERSIONS,
  type CredentialEventType,
  type EventEnvelope,
  type StoredEnvelope,
} from '../events';
import { idTokenDelegatedV1ToV2 } from './id-token-delegated-v1.upcaster';
import { tokenIssuedV1ToV2 } from './token-issued-v1.upcaster';
import { UnsupportedEventError } from './unsupported-event.error';

/** Turns `data` of one schema version into `data` of the next one. Pure. */
type Upcaster = (data: object) => object;
const step = <From, To>(upcaster: (data: From) => To) => upcaster as unknown as Upcaster;

/**
 * One upcaster per (type, version it reads). A type at schema version n has upcasters for 1 … n-1;
 * `upcast` chains them, so each one is written once, against the shape that followed it.
 */
export const UPCASTERS: { readonly [T in CredentialEventType]: Readonly<Record<number, Upcaster>> } = {
  TokenIssued: { 1: step(tokenIssuedV1ToV2) },
  TokenRevoked: {},
  IdTokenDelegated: { 1: step(idTokenDelegatedV1ToV2) },
  TokenRotated: {},
  RefreshTokenReused: {},
  TokenExpired: {},
};

const isKnownType = (type: string): type is CredentialEventType => Object.hasOwn(SCHEMA_VERSIONS, type);

/**
 * Refuses an event this release cannot bring to a current shape: an unknown type, or a schema version
 * outside 1 … current (a later release wrote it). Consumers of the topic call it on every message
 * (`decodeEnvelope` does) so that an old reader stops at a new event instead of misreading it.
 *
 * @example
 * assertReadable('IdTokenDelegated', 3); // throws UnsupportedEventError while the current version is 2
 */
export function assertReadable(type: string, schemaVersion: unknown): void {
  if (!isKnownType(type)) throw new UnsupportedEventError(type, schemaVersion, 'unknown event type');
  const current = SCHEMA_VERSIONS[type];
  if (
    typeof schemaVersion !== 'number' ||
    !Number.isInteger(schemaVersion) ||
    schemaVersion < 1 ||
    schemaVersion > current
  ) {
    throw new UnsupportedEventError(
      type,
      schemaVersion,
      `this release reads schema versions 1 to ${current}; upgrade the reader, do not guess`,
    );
  }
}

/**
 * Brings an envelope written by any release up to the current schema version of its type, so that
 * folds (decider, projections, replay) only ever see current shapes. Returns the envelope itself when
 * it is current. Only `data` and `schema_version` change; `hash` and `previous_hash` stay those of the
 * envelope AS STORED, and the stored or published bytes are never rewritten: tamper evidence
 * (`eventHash`) is always checked on the envelope as written, never on an upcast one.
 *
 * @example
 * const state = storedEvents.map(upcast).map(eventOf).reduce(evolve, initialState);
 */
export function upcast(envelope: StoredEnvelope): EventEnvelope {
  assertReadable(envelope.type, envelope.schema_version);
  const current = SCHEMA_VERSIONS[envelope.type];
  if (envelope.schema_version === current) return envelope as EventEnvelope;
  let data: object = envelope.data;
  for (let version = envelope.schema_version; version < current; version++) {
    const upcaster = UPCASTERS[envelope.type][version];
    if (!upcaster) throw new UnsupportedEventError(envelope.type, version, 'no upcaster to the next version');
    data = upcaster(data);
  }
  return { ...envelope, schema_version: current, data } as EventEnvelope;
}
