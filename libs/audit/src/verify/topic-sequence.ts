import type { FindingLog } from './finding';

/** A message of the topic that carries an event of the store (same id, same hash). */
export interface TopicEvent {
  event_id: string;
  stream_id: string;
  stream_version: number;
  /** `partition 1 offset 17`. */
  location: string;
}

interface Gap {
  missing: number[];
  next: { version: number; eventId: string; location: string };
}

interface Tip {
  version: number;
  gaps?: Gap[];
}

/** What one message was, for the stream it belongs to. */
export type Arrival = 'next' | 'duplicate' | 'late' | 'ahead';

/**
 * The order of each stream on the topic: versions 1, 2, 3 … Delivery is at least once (a relay
 * restart republishes a batch), so an event seen before is a legal duplicate, not a finding; a version
 * that comes after a later one is reordered; a version that never comes is removed from the topic.
 * Keeps only each stream's last version and its open gaps.
 */
export class TopicSequence {
  private readonly tips = new Map<string, Tip>();
  private duplicateCount = 0;

  constructor(private readonly findings: FindingLog) {}

  get duplicates(): number {
    return this.duplicateCount;
  }

  /** The last version of `stream` seen in order on the topic (0 when none). */
  lastVersion(stream: string): number {
    return this.tips.get(stream)?.version ?? 0;
  }

  observe(message: TopicEvent): Arrival {
    let tip = this.tips.get(message.stream_id);
    if (!tip) this.tips.set(message.stream_id, (tip = { version: 0 }));
    const expected = tip.version + 1;
    if (message.stream_version === expected) {
      tip.version = expected;
      return 'next';
    }
    if (message.stream_version > expected) {
      const missing = Array.from({ length: message.stream_version - expected }, (_, i) => expected + i);
      const next = { version: message.stream_version, eventId: message.event_id, location: message.location };
      (tip.gaps ??= []).push({ missing, next });
      tip.version = message.stream_version;
      return 'ahead';
    }
    const gap = tip.gaps?.find((g) => g.missing.includes(message.stream_version));
    if (!gap) {
      this.duplicateCount++;
      return 'duplicate';
    }
    this.findings.add({
      kind: 'reordered',
      where: 'topic',
      event_id: message.event_id,
      stream_id: message.stream_id,
      stream_version: message.stream_version,
      location: message.location,
      detail:
        `version ${message.stream_version} comes after version ${gap.next.version} ` +
        `(event ${gap.next.eventId}, ${gap.next.location})`,
    });
    gap.missing = gap.missing.filter((v) => v !== message.stream_version);
    tip.gaps = tip.gaps!.filter((g) => g.missing.length > 0);
    return 'late';
  }

  /** Versions that never came: removed from the topic (named by stream and version). */
  finish(): void {
    for (const [stream, tip] of this.tips) {
      for (const gap of tip.gaps ?? []) {
        for (const version of gap.missing) {
          this.findings.add({
            kind: 'removed',
            where: 'topic',
            event_id: null,
            stream_id: stream,
            stream_version: version,
            location: null,
            detail:
              `version ${version} is not on the topic: version ${gap.next.version} ` +
              `(event ${gap.next.eventId}, ${gap.next.location}) follows version ${version - 1}`,
          });
        }
      }
    }
  }
}
