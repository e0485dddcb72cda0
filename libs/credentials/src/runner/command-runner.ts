import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ControlPlane } from '@libs/database';
import { eventOf, upcast, type CredentialEvent, type EventEnvelope } from '@libs/domain';
import {
  ConcurrencyError,
  EventStore,
  positionAfter,
  type StreamPosition,
  type WriteContext,
} from '@libs/event-store';

/** What the runner needs of a write model (Emmett's decider shape): decide on a state, fold events into it. */
export interface Decider<Command extends { type: string }, State> {
  decide(command: Command, state: State): CredentialEvent[];
  evolve(state: State, event: CredentialEvent): State;
  initialState: State;
}

/** A known state of a stream at a version, e.g. from the projected view; saves reading the whole stream. */
export interface Snapshot<State> {
  state: State;
  version: number;
}

/** A stream's state and position as just read: lets a caller decide on what it has already loaded. */
export interface LoadedStream<State> {
  state: State;
  position: StreamPosition;
}

export interface CommandResult<State> {
  /** The state the command was decided on. */
  state: State;
  /** The events recorded (durable once this resolves); empty when the command changed nothing. */
  events: EventEnvelope[];
}

/** Where a command is decided from and on whose behalf it is written. */
export interface HandleOptions<State> {
  context: WriteContext;
  /** A snapshot to read on from, or a stream the caller has just loaded (used for the first attempt). */
  from?: Snapshot<State> | LoadedStream<State>;
}

const MAX_ATTEMPTS = 8;

/**
 * Runs `task` after every earlier task of the same key in this process: commands on one stream queue
 * here instead of racing for the same stream version. Other processes still race; the optimistic retry
 * handles them.
 */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/**
 * Runs a command on one stream: read → decide → append, retried when another writer got there first
 * (Emmett's `handleCommand(store, streamId, command, decider)`). Reading starts at the snapshot's
 * version (inclusive, to learn that event's hash), so a revocation the snapshot has not seen is always
 * read before deciding (DESIGN guarantee 1). Commands of one stream queue in this process, except on
 * the control plane (`ControlPlane.run`: revocations), which never waits behind delegations.
 */
@Injectable()
export class CommandRunner {
  private readonly queue = new KeyedQueue();

  constructor(private readonly store: EventStore) {}

  handle<Command extends { type: string }, State>(
    decider: Decider<Command, State>,
    streamId: string,
    command: Command | ((state: State) => Command),
    options: HandleOptions<State>,
  ): Promise<CommandResult<State>> {
    // The command's id, the same across retries: `causation_id` of the events it records.
    const commandId = randomUUID();
    const attempt = () => this.attempt(decider, streamId, command, options, commandId);
    // Overload (issue 15): a control-plane command (a revocation) does not queue behind the stream's
    // in-process delegations; it races them like another process would, and the optimistic retry
    // settles it (a delegation decided before the revocation then reads it and is refused).
    if (ControlPlane.active()) return attempt();
    return this.queue.run(streamId, attempt);
  }

  private async attempt<Command extends { type: string }, State>(
    decider: Decider<Command, State>,
    streamId: string,
    command: Command | ((state: State) => Command),
    { context, from }: HandleOptions<State>,
    commandId: string,
  ): Promise<CommandResult<State>> {
    // The latest state known: after a conflict, only the events since are read and folded (from a
    // snapshot, never from version 1 again: issue 19 finding 1).
    let known: Snapshot<State> | undefined =
      from && 'position' in from ? { state: from.state, version: from.position.version } : from;
    for (let attempt = 1; ; attempt++) {
      // A stream loaded by the caller is used for the first attempt only; a conflict reads it again.
      const { state, position } =
        attempt === 1 && from && 'position' in from ? from : await this.load(decider, streamId, known);
      known = { state, version: position.version };
      const resolved =
        typeof command === 'function' ? (command as (state: State) => Command)(state) : command;
      const events = decider.decide(resolved, state);
      const causationId = context.causationId ?? `${resolved.type}:${commandId}`;
      try {
        return {
          state,
          events: await this.store.append(streamId, position, events, { ...context, causationId }),
        };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
        // Another process wrote first: back off a little, with jitter, before reading again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  /**
   * The current state and position of a stream. The decider folds upcast events; the position keeps
   * the stored hash, the one the next event chains to.
   */
  async load<State>(
    decider: Decider<{ type: string }, State>,
    streamId: string,
    snapshot?: Snapshot<State>,
  ): Promise<LoadedStream<State>> {
    if (snapshot && snapshot.version > 0) {
      const tail = await this.store.readStream(streamId, snapshot.version - 1);
      const loaded = this.fromTail(decider, snapshot, tail);
      if (loaded) return loaded;
    }
    const events = await this.store.readStream(streamId);
    return {
      state: events.reduce((s, e) => decider.evolve(s, eventOf(upcast(e))), decider.initialState),
      position: positionAfter(events),
    };
  }

  /**
   * The stream's state from a snapshot and the events from the snapshot's version on (inclusive, for
   * that event's hash); undefined when the tail does not start there (the snapshot is not from this store).
   */
  fromTail<State>(
    decider: Decider<{ type: string }, State>,
    snapshot: Snapshot<State>,
    tail: readonly EventEnvelope[],
  ): LoadedStream<State> | undefined {
    if (tail[0]?.stream_version !== snapshot.version) return undefined;
    const state = tail.slice(1).reduce((s, e) => decider.evolve(s, eventOf(upcast(e))), snapshot.state);
    return { state, position: positionAfter(tail) };
  }
}
