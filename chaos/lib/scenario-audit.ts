import type { IssuedAck, LedgerSegment } from './chaos-ledger';
import type { ChaosStack } from './chaos-stack';
import type { ReplayView } from './replay-view';
import { issuedKey, type StoreAudit } from './store-audit';
import type { TopicReader } from './topic-reader';

export interface Audit {
  breakdown: Record<string, number>;
  unavailable: number;
  details: Record<string, unknown>;
}

/**
 * The checks after a drained scenario, against the store, the topic (read to its end) and a fresh
 * replay of the topic. Counts are of what is new since the previous audit, so each incident is
 * reported once, in the scenario that caused it.
 */
export class ScenarioAuditor {
  private readonly issuedByToken = new Map<string, IssuedAck>();
  private readonly ackedJtis = new Set<string>();
  private readonly reportedAppliedTwice = new Set<string>();
  private readonly reportedNotApplied = new Set<string>();
  private readonly reportedReplayDiffs = new Set<string>();

  constructor(
    private readonly stack: ChaosStack,
    private readonly store: StoreAudit,
    private readonly reader: TopicReader,
    private readonly replay: ReplayView,
  ) {}

  /** Audits the segments (the scenario's, plus the setup's for the first scenario). */
  async audit(segments: LedgerSegment[], timeoutMs: number): Promise<Audit> {
    const stored = await this.store.readNew();
    const topic = await this.reader.readToEnd(await this.stack.highWatermarks(), timeoutMs);
    await this.replay.apply(topic.envelopes);

    const lost = { issued: 0, delegated: 0, revoked: 0 };
    let ackedJtiTwice = 0;
    for (const segment of segments) {
      for (const ack of segment.issued) {
        this.issuedByToken.set(ack.tokenKey, ack);
        if (!this.store.issued.has(issuedKey(ack.userId, ack.clientId, ack.device))) lost.issued++;
      }
      for (const jti of segment.delegatedJtis) {
        if (this.ackedJtis.has(jti)) ackedJtiTwice++;
        this.ackedJtis.add(jti);
        if (!this.store.jtis.has(jti)) lost.delegated++;
      }
      for (const tokenKey of segment.revokedTokens) {
        const ack = this.issuedByToken.get(tokenKey);
        const stream = ack && this.store.issued.get(issuedKey(ack.userId, ack.clientId, ack.device));
        if (!stream || !this.store.revoked.has(stream)) lost.revoked++;
      }
    }
    const fresh = (ids: string[], reported: Set<string>) => {
      const news = ids.filter((id) => !reported.has(id));
      news.forEach((id) => reported.add(id));
      return news;
    };
    const counts = await this.store.viewCountMismatches();
    const appliedTwice = fresh(counts.appliedTwice, this.reportedAppliedTwice);
    const notApplied = fresh(counts.notApplied, this.reportedNotApplied);
    const replayDiffs = fresh(await this.replay.differences(), this.reportedReplayDiffs);
    const sum = (pick: (s: LedgerSegment) => number) => segments.reduce((n, s) => n + pick(s), 0);

    return {
      breakdown: {
        'lost.issued': lost.issued,
        'lost.delegated': lost.delegated,
        'lost.revoked': lost.revoked,
        'lost.notOnTopic': stored.newIds.filter((id) => !this.reader.ids.has(id)).length,
        'lost.phantomOnTopic': topic.newIds.filter((id) => !this.store.ids.has(id)).length,
        'lost.malformedOnTopic': topic.malformed,
        'lost.notInView': notApplied.length,
        'duplicates.streamVersion': stored.duplicateStreamVersions,
        'duplicates.jti': stored.duplicateJtis,
        'duplicates.ackedJtiTwice': ackedJtiTwice,
        'duplicates.appliedTwiceInView': appliedTwice.length,
        'viewReplay.rows': replayDiffs.length,
        revokedAccepted: sum((s) => s.acceptedAfterRevoke),
        serverErrors: sum((s) => s.categories['server-error']),
        badUnavailable: sum((s) => s.categories['bad-unavailable']),
        hangs: sum((s) => s.categories.hang),
        'other.unexpected4xx': sum((s) => s.categories['unexpected-4xx']),
        'other.connectionErrors': sum((s) => s.categories['connection-error']),
      },
      unavailable: sum((s) => s.categories.unavailable),
      details: {
        storeEventsRead: stored.events,
        topicMessagesRead: topic.envelopes.length + topic.malformed,
        republishedOnTopic: topic.republished,
        replayRows: await this.replay.rows(),
        acked: segments.map((s) => ({ segment: s.name, ...s.acked })),
        refusedAsExpected: sum((s) => s.categories.refused),
        excusedConnectionErrors: sum((s) => s.categories['excused-connection-error']),
        appliedTwiceInView: appliedTwice.slice(0, 10),
        notAppliedInView: notApplied.slice(0, 10),
        replayDifferences: replayDiffs.slice(0, 10),
        samples: segments.flatMap((s) => s.samples).slice(0, 10),
      },
    };
  }
}
