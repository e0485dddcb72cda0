import { Kafka, logLevel, type EachMessagePayload, type logCreator } from 'kafkajs';
import type { ConsumerConfig } from './config';
import { readMessage } from './contract';
import { DenyList, isExpiry, type ApplyResult } from './deny-list';
import { jsonLines, type Log, type LogLine } from './log';
import { loadState, saveState } from './state-file';

/** Settings of {@link startRevocationConsumer}: the configuration plus where logs go. */
export interface StartOptions extends ConsumerConfig {
  log?: Log;
  /** The level of kafkajs's own log records (default WARN). */
  kafkaLogLevel?: logLevel;
}

/** A consumer that is running. */
export interface RunningConsumer {
  readonly denyList: DenyList;
  /**
   * Resolves once every partition has been read up to where it ended when the consumer started; until
   * then the deny-list may lack revocations, so a service should not answer from it before.
   */
  readonly caughtUp: Promise<void>;
  /** Resolves after `stop()`; rejects when the consumer stops by itself (unsupported event, crash). */
  readonly stopped: Promise<void>;
  /** Disconnects (finishing the message in hand), saves the deny-list file, and resolves. */
  stop(): Promise<void>;
}

/**
 * The consumer met a `TokenRevoked` or `TokenExpired` it cannot read and stopped rather than skip the
 * end of a credential.
 */
export class UnsupportedEventError extends Error {
  constructor(
    readonly type: string,
    readonly schemaVersion: number,
    readonly partition: number,
    readonly offset: string,
  ) {
    super(
      `${type} schema_version ${schemaVersion} at partition ${partition} offset ${offset} is not supported`,
    );
    this.name = 'UnsupportedEventError';
  }
}

/** Joins the consumer group, rebuilds or resumes the deny-list, and keeps it current. */
export async function startRevocationConsumer(options: StartOptions): Promise<RunningConsumer> {
  const { topic, groupId, denyListFile } = options;
  const log = options.log ?? jsonLines;
  const saved = denyListFile ? await loadState(denyListFile) : undefined;
  const denyList = new DenyList(saved?.revoked);
  const positions = new Map<number, bigint>(
    Object.entries(saved?.positions[topic] ?? {}).map(([partition, next]) => [
      Number(partition),
      BigInt(next),
    ]),
  );
  const save = async () => {
    if (!denyListFile) return;
    const here = Object.fromEntries([...positions].map(([partition, next]) => [partition, next.toString()]));
    await saveState(denyListFile, {
      revoked: denyList.entries(),
      positions: { ...saved?.positions, [topic]: here },
    });
  };

  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: options.kafkaLogLevel ?? logLevel.WARN,
    logCreator: kafkaLogs(log),
  });
  const ends = await topicEnds(kafka, topic);
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });

  const caughtUp = deferred();
  const stopped = deferred();
  let isCaughtUp = false;
  const checkCaughtUp = () => {
    if (isCaughtUp) return;
    for (const [partition, end] of ends) if ((positions.get(partition) ?? 0n) < end) return;
    isCaughtUp = true;
    log({ level: 'info', msg: 'caught up', revoked: denyList.size });
    caughtUp.resolve();
  };

  let stopping: Promise<void> | undefined;
  const shutdown = (failure?: Error) =>
    (stopping ??= (async () => {
      await consumer
        .disconnect()
        .catch((error) => log({ level: 'warn', msg: 'disconnect failed', error: String(error) }));
      await save();
      log({
        level: failure ? 'error' : 'info',
        msg: 'stopped',
        revoked: denyList.size,
        error: failure?.message,
      });
      if (!isCaughtUp) caughtUp.reject(new Error('the consumer stopped before catching up'));
      if (failure) stopped.reject(failure);
      else stopped.resolve();
    })());

  const eachMessage = async ({ partition, message, pause }: EachMessagePayload) => {
    const at = { partition, offset: message.offset };
    const reading = readMessage(message);
    if (reading.kind === 'unsupported') {
      // Skipping an ending this code cannot read would leave an ended token usable. Pausing keeps
      // the partition here, throwing keeps the offset unresolved, and stopping makes an operator deploy
      // a consumer that knows the version (or upcasts it); that consumer resumes at this very event.
      const error = new UnsupportedEventError(reading.type, reading.schemaVersion, partition, message.offset);
      log({
        level: 'error',
        msg: 'unsupported event, stopping',
        type: reading.type,
        schema_version: reading.schemaVersion,
        ...at,
      });
      pause();
      // Not awaited here: disconnecting waits for this handler to return.
      setImmediate(() => void shutdown(error));
      throw error;
    }
    let line: LogLine | undefined;
    let changed = false;
    if (reading.kind === 'malformed') {
      line = { level: 'warn', msg: 'malformed message skipped', reason: reading.reason, ...at };
    } else if (reading.kind === 'revocation' || reading.kind === 'expiry') {
      const result = denyList.apply(reading.event);
      changed = result.changed;
      line = endingLine(result, reading.event.event_id, at);
    }
    positions.set(partition, BigInt(message.offset) + 1n);
    // Saved before the handler returns, so before kafkajs commits the offset: a crash in between
    // re-reads the event, which the deny-list recognises by its event id.
    if (changed) await save();
    if (line) log(line);
    checkCaughtUp();
  };

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // The deny-list's own position wins over the group's committed offsets: an in-memory deny-list
    // starts empty, so it must re-read from offset 0 even if an earlier run committed further.
    const assigned = payload.memberAssignment[topic] ?? [];
    for (const partition of assigned) {
      consumer.seek({ topic, partition, offset: (positions.get(partition) ?? 0n).toString() });
    }
    if (assigned.length < ends.size) {
      // A group shares partitions out among its members, but every copy of a deny-list needs them all.
      log({
        level: 'warn',
        msg: 'another member of the group reads some partitions: this deny-list misses their revocations',
        group_id: groupId,
        partitions: assigned,
        hint: 'give each instance a consumer group of its own (KAFKA_GROUP_ID)',
      });
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) void shutdown(payload.error);
  });

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  log({
    level: 'info',
    msg: 'started',
    topic,
    group_id: groupId,
    revoked: denyList.size,
    deny_list_file: denyListFile ?? null,
  });
  checkCaughtUp();

  return { denyList, caughtUp: caughtUp.promise, stopped: stopped.promise, stop: () => shutdown() };
}

const SKIPPED = {
  duplicate: 'duplicate event skipped',
  already_ended: 'credential already ended, event skipped',
};

function endingLine(
  result: ApplyResult,
  eventId: string,
  at: { partition: number; offset: string },
): LogLine {
  const { event_id: _endingEvent, ...ending } = result.entry;
  if (result.changed) {
    const msg = isExpiry(result.entry) ? 'credential expired' : 'credential revoked';
    return { level: 'info', msg, ...ending, ...at, event_id: eventId };
  }
  return {
    level: 'info',
    msg: SKIPPED[result.why],
    credential_id: ending.credential_id,
    ...at,
    event_id: eventId,
  };
}

/** The end offset of each partition now: what "caught up" means for this run. */
async function topicEnds(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new Error(`topic ${topic} does not exist (the service creates it when it starts)`);
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

const LEVELS: Record<logLevel, LogLine['level']> = {
  [logLevel.NOTHING]: 'debug',
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

// kafkajs's records through the same JSON-lines log, so an operator reads one format.
const kafkaLogs =
  (log: Log): logCreator =>
  () =>
  ({ namespace, level, log: entry }) => {
    const error = (entry as { error?: unknown }).error;
    log({
      level: LEVELS[level],
      msg: entry.message,
      source: `kafkajs${namespace ? `.${namespace}` : ''}`,
      ...(error === undefined ? {} : { error: String(error) }),
    });
  };

// The caller may never look at a promise (a consumer stopped before catching up, or one only
// stopped by `stop()`), so each is marked handled here; awaiting it still sees the rejection.
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
