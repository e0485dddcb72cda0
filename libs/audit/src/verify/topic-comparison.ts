import type { KafkaMessage } from 'kafkajs';
import type { EventEnvelope } from '@libs/domain';
import type { EventHasher } from '@libs/event-store';
import type { FindingLog, PendingFinding } from './finding';
import type { StoreChain } from './store-chain';
import type { StoreSnapshot, StoredEvent } from './store-snapshot';
import { TopicSequence } from './topic-sequence';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHUNK = 500;
const PENDING_LISTED = 10;

/** A message read as an envelope, without judging its schema: verify compares bytes, not meaning. */
interface TopicEnvelope {
  envelope: EventEnvelope;
  key: string | null;
  location: string;
  hashMatches: boolean;
}

/** Reads a message as an envelope, or says why it is not one. */
export function readEnvelope(message: Pick<KafkaMessage, 'value'>): EventEnvelope | string {
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    return 'its value is not JSON';
  }
  const e = value as Partial<EventEnvelope> | null;
  if (typeof e !== 'object' || e === null) return 'its value is not an object';
  if (typeof e.event_id !== 'string' || !UUID.test(e.event_id)) return 'it has no UUID event_id';
  if (typeof e.stream_id !== 'string') return 'it has no stream_id';
  if (!Number.isInteger(e.stream_version) || e.stream_version! < 1) return 'it has no stream_version';
  if (typeof e.hash !== 'string') return 'it has no hash';
  return e as EventEnvelope;
}

/** What the comparison saw besides findings. */
export interface TopicTally {
  messages: number;
  duplicates: number;
  /** Published after the store snapshot was taken: not part of this comparison. */
  newer: number;
  /** In the store, queued in the outbox, not yet on the topic. */
  pending: number;
  pendingEvents: string[];
}

/**
 * Compares the topic with the store snapshot, message by message in each partition's order: the same
 * events (same id, same hash), each stream's versions in order (duplicates allowed: at-least-once),
 * nothing on the topic that is not in the store, nothing in the store missing from the topic unless
 * it is still queued in the outbox. Memory: each stream's last version on the topic.
 */
export class TopicComparison {
  private readonly sequence: TopicSequence;
  /** Store findings by `stream|version` (removals the topic may name) and the events they name. */
  private readonly removedFromStore = new Map<string, PendingFinding>();
  private readonly flaggedInStore = new Set<string>();
  private readonly tally: TopicTally = {
    messages: 0,
    duplicates: 0,
    newer: 0,
    pending: 0,
    pendingEvents: [],
  };

  constructor(
    private readonly snapshot: StoreSnapshot,
    private readonly chain: StoreChain,
    private readonly findings: FindingLog,
    private readonly hasher: EventHasher,
  ) {
    this.sequence = new TopicSequence(findings);
    for (const finding of findings.entries) {
      if (finding.where !== 'store') continue;
      if (finding.kind === 'removed')
        this.removedFromStore.set(`${finding.stream_id}|${finding.stream_version}`, finding);
      if (finding.event_id) this.flaggedInStore.add(finding.event_id);
    }
  }

  /** One partition's messages, in offset order. */
  async compare(partition: number, messages: KafkaMessage[]): Promise<void> {
    const read: TopicEnvelope[] = [];
    for (const message of messages) {
      this.tally.messages++;
      const location = `partition ${partition} offset ${message.offset}`;
      const key = message.key?.toString('utf8') ?? null;
      const envelope = readEnvelope(message);
      if (typeof envelope === 'string') {
        this.findings.add({
          kind: 'injected',
          where: 'topic',
          event_id: message.headers?.event_id?.toString() ?? null,
          stream_id: key ?? '(no key)',
          stream_version: null,
          location,
          detail: `not an event envelope: ${envelope}`,
        });
        continue;
      }
      read.push({ envelope, key, location, hashMatches: this.hasher.verify(envelope) });
    }
    const inSnapshot = await this.snapshot.byIds(read.map((m) => m.envelope.event_id));
    const absent = read.filter((m) => !inSnapshot.has(m.envelope.event_id));
    const committedSince = await this.snapshot.committedSince(absent.map((m) => m.envelope.event_id));
    const atVersion = await this.snapshot.atVersions(
      absent.map(({ envelope: e }) => ({ stream: e.stream_id, version: e.stream_version })),
    );
    for (const message of read) {
      const id = message.envelope.event_id;
      const stored = inSnapshot.get(id);
      if (stored) this.matched(message, stored);
      else if (committedSince.has(id)) this.newer(message, committedSince.get(id)!);
      else this.unmatched(message, atVersion);
    }
  }

  /** Ends the comparison: the topic's holes, and the store's events the topic never got. */
  async finish(): Promise<TopicTally> {
    this.sequence.finish();
    await this.nameTopicRemovals();
    let batch: { stream: string; version: number }[] = [];
    for (const [stream, last] of this.chain.lastVersions()) {
      const onTopic = this.sequence.lastVersion(stream);
      if (onTopic < last) batch.push({ stream, version: onTopic });
      if (batch.length === CHUNK) {
        await this.unpublished(batch);
        batch = [];
      }
    }
    await this.unpublished(batch);
    return { ...this.tally, duplicates: this.sequence.duplicates };
  }

  private matched(message: TopicEnvelope, stored: StoredEvent): void {
    const { envelope: e, location } = message;
    if (!message.hashMatches) {
      this.flag('altered', message, 'its hash does not match its content');
    } else if (e.hash !== stored.hash && !this.flaggedInStore.has(stored.event_id)) {
      this.flag(
        'altered',
        message,
        `it differs from the store's copy (store position ${stored.position}): ` +
          `the store hashes it to ${stored.hash}, the topic to ${e.hash}`,
      );
    }
    if (message.key !== stored.stream_id) {
      this.flag('altered', message, `its key ${message.key ?? '(none)'} is not its stream id`);
    }
    this.sequence.observe({
      event_id: stored.event_id,
      stream_id: stored.stream_id,
      stream_version: stored.stream_version,
      location,
    });
  }

  private newer(message: TopicEnvelope, stored: StoredEvent): void {
    this.tally.newer++;
    if (!message.hashMatches || message.envelope.hash !== stored.hash) {
      this.flag('altered', message, `it differs from the store's copy (store position ${stored.position})`);
    }
  }

  private unmatched(message: TopicEnvelope, atVersion: Map<string, StoredEvent>): void {
    const { envelope: e, location } = message;
    const key = `${e.stream_id}|${e.stream_version}`;
    const removal = this.removedFromStore.get(key);
    if (removal && message.hashMatches) {
      if (removal.event_id === null) {
        removal.event_id = e.event_id;
        removal.location = location;
        removal.detail += `; the topic still has it at ${location}`;
      }
      this.sequence.observe({
        event_id: e.event_id,
        stream_id: e.stream_id,
        stream_version: e.stream_version,
        location,
      });
      return;
    }
    const other = atVersion.get(key);
    const tip = this.chain.tip(e.stream_id);
    const continues = tip && e.stream_version === tip.version + 1 && e.previous_hash === tip.hash;
    this.flag(
      'injected',
      message,
      other
        ? `the store has another event for this version (event ${other.event_id}, store position ${other.position})`
        : continues
          ? `it is not in the store, and chains onto its stream's last event there (version ${tip.version}): ` +
            'forged on the topic, or removed from the store'
          : 'it is not in the store: forged on the topic, or removed from the store',
    );
  }

  /** Names the events behind the topic's holes from the store. */
  private async nameTopicRemovals(): Promise<void> {
    const unnamed = this.findings.entries.filter(
      (f) => f.where === 'topic' && f.kind === 'removed' && f.event_id === null && f.stream_version !== null,
    );
    const found = await this.snapshot.atVersions(
      unnamed.map((f) => ({ stream: f.stream_id, version: f.stream_version! })),
    );
    for (const finding of unnamed) {
      const stored = found.get(`${finding.stream_id}|${finding.stream_version}`);
      if (!stored) continue;
      finding.event_id = stored.event_id;
      finding.location = `store position ${stored.position}`;
    }
  }

  /** Store events after the topic's last version of their stream: queued, or never published. */
  private async unpublished(streams: { stream: string; version: number }[]): Promise<void> {
    for (const event of await this.snapshot.after(streams)) {
      if (event.pending) {
        this.tally.pending++;
        if (this.tally.pendingEvents.length < PENDING_LISTED) this.tally.pendingEvents.push(event.event_id);
        continue;
      }
      this.findings.add({
        kind: 'injected',
        where: 'store',
        event_id: event.event_id,
        stream_id: event.stream_id,
        stream_version: event.stream_version,
        location: `store position ${event.position}`,
        detail:
          'it is in the store but not on the topic, and not queued in the outbox: written around the ' +
          'write path (injected), or removed from the topic',
        storePosition: event.position,
      });
    }
  }

  private flag(kind: 'altered' | 'injected', message: TopicEnvelope, detail: string): void {
    this.findings.add({
      kind,
      where: 'topic',
      event_id: message.envelope.event_id,
      stream_id: message.envelope.stream_id,
      stream_version: message.envelope.stream_version,
      location: message.location,
      detail,
    });
  }
}
