import { hashAlgorithm } from '@libs/event-store';
import type { FindingLog } from './finding';

/** An event of the store as the chain check sees it, in global-position order. */
export interface ChainLink {
  event_id: string;
  stream_id: string;
  stream_version: number;
  previous_hash: string | null;
  hash: string;
  /** Whether `hash` recomputes from the event as stored (`eventHash`). */
  hashMatches: boolean;
  /** The event's global position in the store. */
  position: number;
}

/** A hole in a stream: versions not (yet) seen when a later version came. */
interface Gap {
  missing: number[];
  /** The event that came after the hole. */
  next: { version: number; eventId: string; position: number };
}

/** Two events that claim the same version: the next version's `previous_hash` tells which is genuine. */
interface Fork {
  version: number;
  firstHash: string;
  second: ChainLink;
}

/** All that is kept per stream: its last version and hash, plus any open irregularity. */
interface Tip {
  version: number;
  hash: string;
  gaps?: Gap[];
  fork?: Fork;
}

const where = (position: number) => `store position ${position}`;

/**
 * The tamper-evidence check of the store, one event at a time in global order (DESIGN guarantee 6):
 * each event's hash recomputes, its `previous_hash` is the hash of its stream's previous event, and
 * versions run 1, 2, 3 … without gaps or repeats. Keeps only each stream's tip, so the store is never
 * held in memory. Classifies each break and names the event:
 *
 * - altered: the hash does not recompute; or the next version records another hash for this one
 *   (altered, then re-hashed);
 * - removed: a version never comes (named by stream and version; the topic may still hold it);
 * - reordered: a version comes after a later one of its stream;
 * - injected: a second event for a version its stream already has (the one the chain does not continue
 *   from), or a version its stream has passed.
 *
 * With the keyed chain (HMAC under the audit key, which the database does not hold) an event re-chained
 * or appended at the end of a stream does not recompute: altered. An unkeyed hash after a keyed one in a
 * stream is injected (no writer since the keyed chain makes one). Only a stream written entirely before
 * the keyed chain can still be extended with unkeyed events; the comparison with the topic (an
 * independent copy written by the relay) catches those.
 */
export class StoreChain {
  private readonly tips = new Map<string, Tip>();
  private count = 0;

  constructor(private readonly findings: FindingLog) {}

  get events(): number {
    return this.count;
  }

  get streams(): number {
    return this.tips.size;
  }

  /** A stream's last version and that event's hash, as the store has them. */
  tip(stream: string): { version: number; hash: string } | undefined {
    const tip = this.tips.get(stream);
    return tip && { version: tip.version, hash: tip.hash };
  }

  /** Each stream's last version in the store. */
  lastVersions(): IterableIterator<[string, number]> {
    return (function* (tips: Map<string, Tip>) {
      for (const [stream, tip] of tips) yield [stream, tip.version] as [string, number];
    })(this.tips);
  }

  check(link: ChainLink): void {
    this.count++;
    if (!link.hashMatches) this.flag('altered', link, 'its hash does not match its content');
    const tip = this.tips.get(link.stream_id);
    if (!tip) return this.first(link);
    if (tip.fork && link.stream_version === tip.fork.version + 1) this.settleFork(tip, link);

    const expected = tip.version + 1;
    if (
      link.stream_version === expected &&
      hashAlgorithm(tip.hash) === 'hmac-sha256' &&
      hashAlgorithm(link.hash) !== 'hmac-sha256'
    ) {
      this.flag(
        'injected',
        link,
        'an unkeyed hash after a keyed one: no writer of the keyed chain makes one',
      );
    }
    if (link.stream_version === expected) {
      if (link.previous_hash !== tip.hash && link.hashMatches) {
        this.findings.add({
          kind: 'altered',
          where: 'store',
          event_id: null,
          hash: tip.hash,
          stream_id: link.stream_id,
          stream_version: tip.version,
          location: null,
          detail:
            `version ${link.stream_version} (event ${link.event_id}, ${where(link.position)}) records ` +
            `previous_hash ${link.previous_hash}, but version ${tip.version} hashes to ${tip.hash}: ` +
            `version ${tip.version} was altered and re-hashed, or version ${link.stream_version} was forged`,
          storePosition: link.position,
        });
      }
      tip.version = link.stream_version;
      tip.hash = link.hash;
    } else if (link.stream_version > expected) {
      this.openGap(tip, expected, link);
      tip.version = link.stream_version;
      tip.hash = link.hash;
    } else {
      this.behind(tip, link);
    }
  }

  /** Reports what never resolved: versions that never came, forks nothing followed. */
  finish(): void {
    for (const [stream, tip] of this.tips) {
      for (const gap of tip.gaps ?? []) {
        for (const version of gap.missing) {
          this.findings.add({
            kind: 'removed',
            where: 'store',
            event_id: null,
            stream_id: stream,
            stream_version: version,
            location: null,
            detail:
              `version ${version} is missing from the store: version ${gap.next.version} ` +
              `(event ${gap.next.eventId}, ${where(gap.next.position)}) follows version ${version - 1}`,
            storePosition: gap.next.position,
          });
        }
      }
      if (tip.fork) {
        this.flag(
          'injected',
          tip.fork.second,
          `a second event for version ${tip.fork.version}; nothing follows either, so the later one is named`,
        );
      }
    }
  }

  private first(link: ChainLink): void {
    const tip: Tip = { version: link.stream_version, hash: link.hash };
    if (link.stream_version > 1) this.openGap(tip, 1, link);
    else if (link.previous_hash !== null && link.hashMatches) {
      this.flag('altered', link, 'the first event of its stream records a previous_hash');
    }
    this.tips.set(link.stream_id, tip);
  }

  private openGap(tip: Tip, from: number, next: ChainLink): void {
    const missing = Array.from({ length: next.stream_version - from }, (_, i) => from + i);
    (tip.gaps ??= []).push({
      missing,
      next: { version: next.stream_version, eventId: next.event_id, position: next.position },
    });
  }

  /** A version at or below the stream's tip: a late event (reordered), or a second claim (injected). */
  private behind(tip: Tip, link: ChainLink): void {
    const gap = tip.gaps?.find((g) => g.missing.includes(link.stream_version));
    if (gap) {
      this.flag(
        'reordered',
        link,
        `version ${link.stream_version} is stored after version ${gap.next.version} ` +
          `(event ${gap.next.eventId}, ${where(gap.next.position)})`,
      );
      gap.missing = gap.missing.filter((v) => v !== link.stream_version);
      tip.gaps = tip.gaps!.filter((g) => g.missing.length > 0);
    } else if (link.stream_version === tip.version && !tip.fork) {
      tip.fork = { version: tip.version, firstHash: tip.hash, second: link };
    } else {
      this.flag(
        'injected',
        link,
        `claims version ${link.stream_version}, which its stream already has (it is at version ${tip.version})`,
      );
    }
  }

  /** The version after a fork chains to one of its two claimants: the other is the injected one. */
  private settleFork(tip: Tip, next: ChainLink): void {
    const { version, firstHash, second } = tip.fork!;
    tip.fork = undefined;
    if (next.previous_hash === second.hash) {
      this.findings.add({
        kind: 'injected',
        where: 'store',
        event_id: null,
        hash: firstHash,
        stream_id: second.stream_id,
        stream_version: version,
        location: null,
        detail: `one of two events for version ${version}; version ${next.stream_version} (event ${next.event_id}) chains to the other`,
        storePosition: second.position,
      });
      tip.hash = second.hash;
      return;
    }
    const chained = next.previous_hash === firstHash;
    this.flag(
      'injected',
      second,
      chained
        ? `one of two events for version ${version}; version ${next.stream_version} (event ${next.event_id}) chains to the other`
        : `one of two events for version ${version}; version ${next.stream_version} chains to neither`,
    );
  }

  private flag(kind: 'altered' | 'reordered' | 'injected', link: ChainLink, detail: string): void {
    this.findings.add({
      kind,
      where: 'store',
      event_id: link.event_id,
      stream_id: link.stream_id,
      stream_version: link.stream_version,
      location: where(link.position),
      detail,
      storePosition: link.position,
    });
  }
}
