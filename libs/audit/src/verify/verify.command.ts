import { Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import { pgPool } from '@libs/database';
import { envelopeFromRow, EventHasher } from '@libs/event-store';
import { eventTopic } from '@libs/messaging';
import { AuditCommand, EXIT, type AuditIo } from '../cli/audit-command';
import { TopicSnapshotReader } from '../replay/topic-snapshot.reader';
import { FindingLog } from './finding';
import { StoreChain } from './store-chain';
import { StoreSnapshot } from './store-snapshot';
import { TopicComparison } from './topic-comparison';
import { parseVerifyArgs } from './verify-options';
import { reportText, type VerifyReport } from './verify-report';

/**
 * `verify`: is the log whole? The hash chains of the whole store, then the store against the Kafka
 * topic. Names the first altered, removed, reordered or injected event and exits 1; exits 0 when whole.
 */
@Injectable()
export class VerifyCommand extends AuditCommand {
  static readonly help = {
    name: 'verify',
    summary: "check the store's hash chains and compare the store with the Kafka topic",
    usage: [
      'usage: npm run audit -- verify [--store-only | --topic <name>] [--format text|json]',
      '',
      'Checks every event of the store, by global position: its hash recomputes (keyed, HMAC-SHA-256',
      'under AUDIT_KEY, or SERVER_SECRET when unset; events written before the keyed chain by their',
      'unkeyed SHA-256, never after a keyed one), its previous_hash is the hash of the previous event of',
      'its stream, stream versions run 1, 2, 3 … Then reads the topic',
      'from the beginning to its end (a throw-away consumer group, deleted afterwards) and compares: the',
      'same events, in the same order per stream. Duplicates (at-least-once redelivery) and events still',
      'queued in the outbox are reported, not findings. Exit 0: the log is whole; 1: findings, each',
      'naming the event (id, stream, version, store or topic, what is wrong), the first break first.',
      '',
      '  --store-only    check the store only',
      '  --topic <name>  the topic to compare with (default: this deployment’s event topic)',
      '  --format        text (default) or json (one object: ok, store, topic, findings)',
    ].join('\n'),
  };

  constructor(
    private readonly db: DataSource,
    private readonly kafka: Kafka,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(args: string[], io: AuditIo): Promise<number> {
    const options = parseVerifyArgs(args, eventTopic(this.config.kafka.topicPrefix));
    const topics = new TopicSnapshotReader(this.kafka);
    if (options.topic !== null && !(await topics.topicExists(options.topic))) {
      io.err.write(
        `audit verify: topic ${options.topic} does not exist (name one with --topic, or --store-only)\n`,
      );
      return EXIT.unavailable;
    }

    const findings = new FindingLog();
    const hasher = EventHasher.fromConfig(this.config);
    const snapshot = await StoreSnapshot.open(pgPool(this.db));
    let report: VerifyReport;
    try {
      const chain = await checkChains(snapshot, findings, hasher);
      let topic: VerifyReport['topic'] = null;
      if (options.topic !== null) {
        // Taken after the snapshot: every event the snapshot shows as published is below these ends.
        const ranges = await topics.endOffsets(options.topic);
        const comparison = new TopicComparison(snapshot, chain, findings, hasher);
        await topics.read({
          topic: options.topic,
          ranges,
          groupPrefix: 'audit-verify',
          onBatch: ({ partition, messages }) => comparison.compare(partition, messages),
        });
        const { pendingEvents, ...tally } = await comparison.finish();
        topic = { name: options.topic, partitions: ranges.length, ...tally, pending_events: pendingEvents };
      }
      report = {
        ok: findings.count === 0,
        store: { events: chain.events, streams: chain.streams },
        topic,
        findings: findings.list(),
        findings_total: findings.count,
      };
    } finally {
      await snapshot.close();
    }

    io.out.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
    return report.ok ? EXIT.ok : EXIT.findings;
  }
}

/** Checks every stream's chain in global order, then names the events found only by their hash. */
async function checkChains(
  snapshot: StoreSnapshot,
  findings: FindingLog,
  hasher: EventHasher,
): Promise<StoreChain> {
  const chain = new StoreChain(findings);
  for await (const rows of snapshot.pages()) {
    for (const row of rows) {
      // Checked as stored, never upcast: an upcast envelope no longer hashes to its `hash`.
      const envelope = envelopeFromRow(row);
      chain.check({
        event_id: envelope.event_id,
        stream_id: envelope.stream_id,
        stream_version: envelope.stream_version,
        previous_hash: envelope.previous_hash,
        hash: envelope.hash,
        hashMatches: hasher.verify(envelope),
        position: Number(row.global_position),
      });
    }
  }
  chain.finish();
  const unnamed = findings.entries.filter((f) => f.event_id === null && f.hash !== undefined);
  const found = await snapshot.byHashes(unnamed.map((f) => ({ stream: f.stream_id, hash: f.hash! })));
  for (const finding of unnamed) {
    const stored = found.get(`${finding.stream_id}|${finding.hash}`);
    if (!stored) continue;
    finding.event_id = stored.event_id;
    finding.location = `store position ${stored.position}`;
  }
  return chain;
}
