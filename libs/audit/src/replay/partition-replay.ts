import type { KafkaMessage } from 'kafkajs';
import type { EventEnvelope } from '@libs/domain';
import type { DeviceCredentialRow } from '@libs/projections';
import { foldBatch } from './batch-fold';
import { decodeForReplay } from './replay-decoder';
import type { ReplayTable } from './replay-table';
import type { RowCache } from './row-cache';

export interface MalformedMessage {
  partition: number;
  offset: string;
  reason: string;
}

const MALFORMED_SHOWN = 10;
// Also written once this many credentials changed, however few messages that took: bounds the rows
// held per partition (pending + in flight) for a log whose events are far apart.
const MAX_PENDING_ROWS = 5_000;

/** What the partitions of one replay have done so far. */
export class ReplayTally {
  /** Messages written (folded and their rows stored), malformed ones included. */
  messages = 0;
  /** Events folded. */
  events = 0;
  rowsWritten = 0;
  malformedCount = 0;
  readonly malformed: MalformedMessage[] = [];
  /** Per write: the upsert statement, ms. */
  readonly writeMs: number[] = [];

  constructor(private readonly onWritten?: (messages: number) => void) {}

  addMalformed(found: MalformedMessage[]): void {
    this.malformedCount += found.length;
    this.malformed.push(...found.slice(0, Math.max(0, MALFORMED_SHOWN - this.malformed.length)));
  }

  written(messages: number, events: number, rows: number, ms: number): void {
    this.messages += messages;
    this.events += events;
    this.rowsWritten += rows;
    this.writeMs.push(ms);
    this.onWritten?.(this.messages);
  }
}

/** Parses a batch lazily for `foldBatch`, collecting what cannot be folded. */
function* decode(
  partition: number,
  batch: KafkaMessage[],
  tally: { events: number; malformed: MalformedMessage[] },
): Generator<EventEnvelope> {
  for (const message of batch) {
    const result = decodeForReplay(message);
    if ('event' in result) {
      tally.events++;
      yield result.event;
    } else {
      tally.malformed.push({ partition, offset: message.offset, reason: result.malformed });
    }
  }
}

/**
 * The replay of one partition. Folds each Kafka batch as it arrives, keeps the changed rows until
 * `writeEvery` messages are folded (or 5,000 credentials changed), then writes them with one statement
 * while the next batches are fetched and folded: a credential's many events over those batches become
 * one row written, whatever the fetch size. Partitions hold disjoint credentials (key = credential
 * id), so they run side by side.
 */
export class PartitionReplay {
  /** Folded, not yet written: the authoritative state of these credentials. */
  private pending = new Map<string, DeviceCredentialRow>();
  /** Being written: still authoritative until the write commits. */
  private inFlight = new Map<string, DeviceCredentialRow>();
  private pendingMessages = 0;
  private pendingEvents = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly partition: number,
    private readonly table: ReplayTable,
    private readonly cache: RowCache,
    private readonly tally: ReplayTally,
    private readonly writeEvery: number,
  ) {}

  /**
   * Folds one batch while the previous write may still run. When it is time to write again and that
   * write has not finished, waits for it: the reader fetches nothing more for this partition meanwhile
   * (back-pressure), so at most one write per partition is in flight.
   */
  async fold(batch: KafkaMessage[]): Promise<void> {
    if (this.failure) throw this.failure;
    // The key is the credential id: the rows to find are known before any value is parsed, so each
    // envelope is parsed, folded and dropped in one pass.
    const keys = new Set<string>();
    for (const m of batch) if (m.key) keys.add(m.key.toString('utf8'));
    const rows = await this.rowsOf(keys);
    const unknown = new Set<string>();
    let tally = { events: 0, malformed: [] as MalformedMessage[] };
    let changed = foldBatch(
      (id) => {
        if (!keys.has(id)) unknown.add(id);
        return rows.get(id);
      },
      decode(this.partition, batch, tally),
    );
    if (unknown.size > 0) {
      // Messages whose key is not their stream id (not written by this service): fold the batch
      // again with those credentials' rows too.
      for (const [id, row] of await this.rowsOf(unknown)) rows.set(id, row);
      tally = { events: 0, malformed: [] };
      changed = foldBatch((id) => rows.get(id), decode(this.partition, batch, tally));
    }
    for (const row of changed) {
      this.pending.set(row.id, row);
      this.cache.set(row.id, row);
    }
    this.tally.addMalformed(tally.malformed);
    this.pendingMessages += batch.length;
    this.pendingEvents += tally.events;
    if (this.pendingMessages >= this.writeEvery || this.pending.size >= MAX_PENDING_ROWS) await this.write();
  }

  /** Writes what is left once the partition is read; resolves when everything is stored. */
  async finish(): Promise<void> {
    if (this.pendingMessages > 0) await this.write();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  /** The current rows of these credentials: not yet written, cached, else read back from the table. */
  private async rowsOf(ids: Iterable<string>): Promise<Map<string, DeviceCredentialRow>> {
    const rows = new Map<string, DeviceCredentialRow>();
    const missing: string[] = [];
    for (const id of ids) {
      const row = this.pending.get(id) ?? this.inFlight.get(id) ?? this.cache.get(id);
      if (row) rows.set(id, row);
      else missing.push(id);
    }
    for (const [id, row] of await this.table.load(missing)) rows.set(id, row);
    return rows;
  }

  /** Starts writing the pending rows once the previous write has finished (not waiting for this one). */
  private async write(): Promise<void> {
    await this.writing;
    if (this.failure) throw this.failure;
    const [messages, events, since] = [this.pendingMessages, this.pendingEvents, performance.now()];
    this.inFlight = this.pending;
    this.pending = new Map();
    this.pendingMessages = 0;
    this.pendingEvents = 0;
    const rows = [...this.inFlight.values()];
    this.writing = this.table.upsert(rows).then(
      () => {
        this.inFlight = new Map();
        this.tally.written(messages, events, rows.length, performance.now() - since);
      },
      (error: unknown) => {
        this.failure ??= error;
      },
    );
  }
}
