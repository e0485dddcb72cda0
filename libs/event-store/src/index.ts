export { decodeEnvelope, encodeEnvelope, MalformedEventError } from './envelope-codec';
export {
  canonicalJson,
  eventHash,
  EventHasher,
  hashAlgorithm,
  KEYED_HASH_PREFIX,
  type HashAlgorithm,
} from './event-hash';
export { EventStoreModule } from './event-store.module';
export {
  ConcurrencyError,
  EventStore,
  positionAfter,
  type StreamPosition,
  type WriteContext,
} from './event-store.port';
export { OutboxRelay } from './outbox-relay';
export { sealEvents } from './seal-events';
export { envelopeFromRow, EVENT_COLUMNS, PostgresEventStore } from './postgres-event-store';
