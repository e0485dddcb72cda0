import type { Finding } from './finding';
import type { TopicTally } from './topic-comparison';

/** The outcome of one `verify` run (also its `--format json` output). */
export interface VerifyReport {
  /** True when the log is whole: no finding. */
  ok: boolean;
  store: { events: number; streams: number };
  topic:
    | (Omit<TopicTally, 'pendingEvents'> & { name: string; partitions: number; pending_events: string[] })
    | null;
  /** Every finding (up to 1,000), the first break first: in the store's order, then the topic's. */
  findings: Finding[];
  /** How many findings there were in all (more than listed when over 1,000). */
  findings_total: number;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The report for a terminal: what was checked, then each finding naming its event. */
export function reportText(report: VerifyReport): string {
  const lines = [
    `store: ${plural(report.store.events, 'event')} in ${plural(report.store.streams, 'stream')}, hash chains checked`,
  ];
  const { topic } = report;
  if (topic) {
    lines.push(
      `topic ${topic.name}: ${plural(topic.messages, 'message')} on ${plural(topic.partitions, 'partition')}; ` +
        `${plural(topic.duplicates, 'duplicate')} (at-least-once redelivery, not a finding); ` +
        `${topic.pending.toLocaleString('en-US')} pending in the outbox` +
        (topic.pending_events.length > 0
          ? ` (${topic.pending_events.join(', ')}${topic.pending > topic.pending_events.length ? ', …' : ''})`
          : '') +
        (topic.newer > 0
          ? `; ${plural(topic.newer, 'message')} newer than the store snapshot, not compared`
          : ''),
    );
  } else {
    lines.push('topic: not compared (--store-only)');
  }
  if (report.ok) {
    lines.push('verify: the log is whole');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`verify: ${plural(report.findings_total, 'finding')}, the first break first:`);
  report.findings.forEach((f, i) => {
    const event = f.event_id ? `event ${f.event_id}` : 'an event no copy of which was found';
    const version = f.stream_version === null ? '' : `, version ${f.stream_version}`;
    const location = f.location ? ` (${f.location})` : '';
    lines.push(
      `  ${i + 1}. ${f.kind.toUpperCase()} in the ${f.where}: ${event} — stream ${f.stream_id}${version}${location}: ${f.detail}`,
    );
  });
  if (report.findings_total > report.findings.length) {
    lines.push(`  … and ${(report.findings_total - report.findings.length).toLocaleString('en-US')} more`);
  }
  return `${lines.join('\n')}\n`;
}
