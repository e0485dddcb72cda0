import type { CredentialEvent, EventEnvelope } from '@libs/domain';
import {
  ConcurrencyError,
  EventStore,
  sealEvents,
  type StreamPosition,
  type WriteContext,
} from '@libs/event-store';

/**
 * The `EventStore` port in memory, for unit specs of the write path: the same contract as
 * `PostgresEventStore` — versions unique per stream (a stale `expected` rejects with `ConcurrencyError`),
 * hash-chained envelopes — without PostgreSQL or Kafka. `beforeAppend` lets a spec slip a competing
 * write in between a command's read and its append.
 */
export class InMemoryEventStore extends EventStore {
  private readonly streams = new Map<string, EventEnvelope[]>();
  /** Every append attempt, in order: which stream, at which expected version, whether it committed. */
  readonly attempts: { streamId: string; expectedVersion: number; committed: boolean }[] = [];
  /** Runs before each append attempt is checked (once per attempt); may append itself. */
  beforeAppend?: (streamId: string, expected: StreamPosition) => void | Promise<void>;

  async readStream(streamId: string, afterVersion = 0): Promise<EventEnvelope[]> {
    return (this.streams.get(streamId) ?? []).filter((e) => e.stream_version > afterVersion);
  }

  async append(
    streamId: string,
    expected: StreamPosition,
    events: CredentialEvent[],
    context: WriteContext,
  ): Promise<EventEnvelope[]> {
    if (events.length === 0) return [];
    const hook = this.beforeAppend;
    if (hook) {
      this.beforeAppend = undefined;
      await hook(streamId, expected);
    }
    const stream = this.streams.get(streamId) ?? [];
    const committed = stream.length === expected.version;
    this.attempts.push({ streamId, expectedVersion: expected.version, committed });
    if (!committed) throw new ConcurrencyError(streamId);
    const envelopes = sealEvents(streamId, expected, events, context);
    this.streams.set(streamId, [...stream, ...envelopes]);
    return envelopes;
  }

  /** Every stored event, stream by stream. */
  all(): EventEnvelope[] {
    return [...this.streams.values()].flat();
  }
}
