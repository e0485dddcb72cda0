/** What is wrong with an event: the four ways a log can be tampered with (DESIGN guarantee 6). */
export type FindingKind = 'altered' | 'removed' | 'reordered' | 'injected';

/** Which copy of the log is wrong: the PostgreSQL store or the Kafka topic. */
export type FindingWhere = 'store' | 'topic';

/** One break in the log, naming the event. */
export interface Finding {
  kind: FindingKind;
  where: FindingWhere;
  /** Null only when no copy of the event was found (e.g. removed from the store, and the topic not read). */
  event_id: string | null;
  stream_id: string;
  stream_version: number | null;
  /** Where it was seen: `store position 57`, `partition 1 offset 17`. */
  location: string | null;
  detail: string;
}

/** A finding while it is being built: `hash` lets a later query name an event found only by its hash. */
export interface PendingFinding extends Finding {
  hash?: string;
  /** The store position that revealed it; findings are listed in the store's order, then as found. */
  storePosition?: number;
}

const KEPT = 1_000;

/**
 * The findings of one run, in the order they were found, without repeats (one tampered event often
 * shows from two sides). Keeps the first 1,000 and counts the rest, so a wholly foreign topic cannot
 * exhaust memory.
 */
export class FindingLog {
  private readonly kept: PendingFinding[] = [];
  private readonly seen = new Set<string>();
  private total = 0;

  add(finding: PendingFinding): void {
    const key = [
      finding.kind,
      finding.where,
      finding.stream_id,
      finding.stream_version,
      finding.event_id ?? finding.hash,
    ].join('|');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.total++;
    if (this.kept.length < KEPT) this.kept.push({ ...finding });
  }

  /** The findings kept, each mutable so a later source (the topic, a query) can complete it. */
  get entries(): readonly PendingFinding[] {
    return this.kept;
  }

  get count(): number {
    return this.total;
  }

  /** The findings in reporting order, without the working fields. */
  list(): Finding[] {
    const rank = (f: PendingFinding) => f.storePosition ?? Number.POSITIVE_INFINITY;
    // Array.prototype.sort is stable: findings without a store position keep the order they were found in.
    return [...this.kept]
      .sort((a, b) => (rank(a) === rank(b) ? 0 : rank(a) < rank(b) ? -1 : 1))
      .map(({ hash: _hash, storePosition: _position, ...finding }) => finding);
  }
}
