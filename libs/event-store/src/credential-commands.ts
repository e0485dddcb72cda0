import { Injectable } from '@nestjs/common';
import {
  decide,
  eventOf,
  evolve,
  initialState,
  type CredentialCommand,
  type CredentialState,
  type EventEnvelope,
} from '@libs/domain';
import {
  ConcurrencyError,
  EventStore,
  positionAfter,
  type StreamPosition,
  type WriteContext,
} from './event-store.port';

/** A known state of a stream at a version, e.g. from the projected view; saves reading the whole stream. */
export interface Snapshot {
  state: CredentialState;
  version: number;
}

/** A stream's state and position as just read: lets a caller decide on what it has already loaded. */
export interface LoadedStream {
  state: CredentialState;
  position: StreamPosition;
}

export interface CommandResult {
  /** The state the command was decided on. */
  state: CredentialState;
  /** The events recorded (durable once this resolves); empty when the command changed nothing. */
  events: EventEnvelope[];
}

const MAX_ATTEMPTS = 5;

/**
 * Runs a command on one credential stream: read → decide → append, retried when another writer got
 * there first. Reading starts at the snapshot's version (inclusive, to learn that event's hash), so a
 * revocation the snapshot has not seen is always read before deciding (DESIGN guarantee 1).
 */
@Injectable()
export class CredentialCommands {
  constructor(private readonly store: EventStore) {}

  async execute(
    streamId: string,
    command: CredentialCommand | ((state: CredentialState) => CredentialCommand),
    context: WriteContext,
    from?: Snapshot | LoadedStream,
  ): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      // A stream loaded by the caller is used for the first attempt only; a conflict reads it again.
      const { state, position } =
        attempt === 1 && from && 'position' in from
          ? from
          : await this.load(streamId, from && 'version' in from ? from : undefined);
      const resolved = typeof command === 'function' ? command(state) : command;
      const events = decide(resolved, state);
      try {
        return { state, events: await this.store.append(streamId, position, events, context) };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** The current state and position of a stream. */
  async load(streamId: string, snapshot?: Snapshot): Promise<LoadedStream> {
    if (snapshot && snapshot.version > 0) {
      const loaded = this.fromTail(snapshot, await this.store.readStream(streamId, snapshot.version - 1));
      if (loaded) return loaded;
    }
    const events = await this.store.readStream(streamId);
    return {
      state: events.reduce((s, e) => evolve(s, eventOf(e)), initialState),
      position: positionAfter(events),
    };
  }

  /**
   * The stream's state from a snapshot and the events from the snapshot's version on (inclusive, for
   * that event's hash); undefined when the tail does not start there (the snapshot is not from this store).
   */
  fromTail(snapshot: Snapshot, tail: readonly EventEnvelope[]): LoadedStream | undefined {
    if (tail[0]?.stream_version !== snapshot.version) return undefined;
    const state = tail.slice(1).reduce((s, e) => evolve(s, eventOf(e)), snapshot.state);
    return { state, position: positionAfter(tail) };
  }
}
