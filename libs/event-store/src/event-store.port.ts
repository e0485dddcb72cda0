import type { CredentialEvent, EventEnvelope } from '@libs/domain';

/** Where a stream stands: its last version (0 for a new stream) and that event's hash. */
export interface StreamPosition {
  version: number;
  hash: string | null;
}

/**
 * Who caused a write: the request's correlation id, and its cause — the command (`<type>:<command id>`,
 * set by `CredentialCommands`), or the event that caused it.
 */
export interface WriteContext {
  correlationId: string;
  causationId?: string | null;
}

/** Thrown when another writer appended to the stream first (optimistic concurrency). */
export class ConcurrencyError extends Error {
  static readonly code = 'ERR_STREAM_VERSION_CONFLICT';
  /** Transports answer it as a retryable 503 when retries did not resolve it. */
  readonly code = ConcurrencyError.code;

  constructor(readonly streamId: string) {
    super(`stream ${streamId} was changed concurrently`);
    this.name = 'ConcurrencyError';
  }
}

/** The append-only event store with its transactional outbox. */
export abstract class EventStore {
  /** Events of a stream with `stream_version > afterVersion`, oldest first. */
  abstract readStream(streamId: string, afterVersion?: number): Promise<EventEnvelope[]>;

  /**
   * Appends `events` after `expected` and queues them for Kafka, in one transaction; resolves once that
   * transaction has committed. Rejects with `ConcurrencyError` when the stream moved past `expected`.
   */
  abstract append(
    streamId: string,
    expected: StreamPosition,
    events: CredentialEvent[],
    context: WriteContext,
  ): Promise<EventEnvelope[]>;
}

/** The position after the last of `events`, or `from` when there are none. */
export function positionAfter(
  events: readonly EventEnvelope[],
  from: StreamPosition = { version: 0, hash: null },
) {
  const last = events.at(-1);
  return last ? { version: last.stream_version, hash: last.hash } : from;
}
