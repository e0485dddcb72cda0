import { parseArgs } from 'node:util';
import { Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import { pgPool } from '@libs/database';
import { eventTopic } from '@libs/messaging';
import { DeviceCredentialProjection } from '@libs/projections';
import { AuditCommand, EXIT, UsageError, type AuditIo } from '../cli/audit-command';
import { formatCount, Progress } from '../cli/progress';
import { ProjectionReplay, type ReplaySummary } from './projection-replay';
import { compareWithLive, formatComparison } from './replay-comparison';
import { ForeignSchemaError, schemaNameProblem } from './replay-table';

const DEFAULT_SCHEMA = 'audit_replay';
const DIFFERENCES_SHOWN = 20;

const USAGE = `usage: npm run audit -- replay [--into <schema>] [--topic <topic>] [--compare] [--json]

Rebuilds the device-credential view from the event topic, from its first offset up to the end offsets
read at the start, into <schema>.device_credentials (default schema: ${DEFAULT_SCHEMA}; dropped and
recreated, never the live table). Streams the log in bounded batches. Malformed messages are counted and
listed, never fatal.

  --into <schema>  schema to rebuild into (created by this command; a schema it did not create is refused)
  --topic <topic>  topic to read (default: the event topic of KAFKA_TOPIC_PREFIX)
  --compare        diff the result against the live device_credentials, every derived column; exit 1
                   on any difference, printing the first ${DIFFERENCES_SHOWN}. Meaningful once the live
                   projector has caught up: a partition whose live checkpoint is not where the replay
                   stopped is named in a warning (the difference may then be lag, not corruption)
  --json           print the summary as JSON on stdout (progress stays on stderr)

Exit codes: 0 done (and identical, with --compare), 1 differences found, 64 bad usage, 69 topic or
database unavailable.`;

/** `audit replay`: the event log, folded again from scratch, and optionally diffed against the live view. */
@Injectable()
export class ReplayCommand extends AuditCommand {
  static readonly help = {
    name: 'replay',
    summary: 'rebuild the device-credential view from the event topic into a schema of its own; --compare',
    usage: USAGE,
  };

  constructor(
    private readonly kafka: Kafka,
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(args: string[], io: AuditIo): Promise<number> {
    const options = parse(args);
    const topic = options.topic ?? eventTopic(this.config.kafka.topicPrefix);
    const pool = pgPool(this.db);
    const replay = new ProjectionReplay(this.kafka, pool);

    const ranges = await replay.endOffsets(topic);
    if (!ranges) {
      io.err.write(`audit replay: topic "${topic}" does not exist\n`);
      return EXIT.unavailable;
    }
    const total = ranges.reduce((n, r) => n + Number(r.end - r.low), 0);
    const progress = new Progress(io.err, { label: 'replay', unit: 'events', total });
    let summary: ReplaySummary;
    try {
      summary = await replay.replay(
        { topic, schema: options.into, onProgress: (done) => progress.update(done) },
        ranges,
      );
    } catch (error) {
      if (error instanceof ForeignSchemaError) throw new UsageError(error.message);
      throw error;
    } finally {
      progress.finish();
    }

    const comparison = options.compare
      ? await compareWithLive(
          pool,
          options.into,
          topic,
          new DeviceCredentialProjection().name,
          DIFFERENCES_SHOWN,
        )
      : undefined;
    if (options.json) {
      io.out.write(`${JSON.stringify({ ...summary, comparison }, null, 2)}\n`);
    } else {
      io.out.write(`${formatSummary(summary).join('\n')}\n`);
      if (comparison) io.out.write(`${formatComparison(comparison, options.into).join('\n')}\n`);
    }
    return comparison && comparison.differingCells > 0 ? EXIT.findings : EXIT.ok;
  }
}

function parse(args: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        into: { type: 'string', default: DEFAULT_SCHEMA },
        topic: { type: 'string' },
        compare: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const problem = schemaNameProblem(values.into);
  if (problem) throw new UsageError(`--into: ${problem}`);
  if (values.topic === '') throw new UsageError('--topic: empty topic name');
  return { into: values.into, topic: values.topic, compare: values.compare, json: values.json };
}

/** The summary for people: what was read, what it became, how fast. */
export function formatSummary(s: ReplaySummary): string[] {
  const ends = s.partitions.map((p) => formatCount(Number(p.end))).join(' / ');
  const lines = [
    `replay: ${s.topic} → ${s.schema}.device_credentials`,
    `  read       ${formatCount(s.messages)} messages from ${s.partitions.length} partition(s) (end offsets ${ends})`,
    `  folded     ${formatCount(s.events)} events into ${formatCount(s.credentials)} credentials`,
    `  malformed  ${formatCount(s.malformed.count)}${s.malformed.count > 0 ? ' (skipped; the first:)' : ''}`,
    ...s.malformed.first.map(
      (m) => `               partition ${m.partition} offset ${m.offset}: ${m.reason}`,
    ),
    `  took       ${s.seconds.toFixed(1)} s (${formatCount(s.eventsPerSecond)} events/s); ` +
      `${s.writes.count} writes (${formatCount(s.rowsWritten)} rows), p50 ${s.writes.p50Ms.toFixed(0)} ms, ` +
      `p99 ${s.writes.p99Ms.toFixed(0)} ms; ` +
      `CPU ${s.cpuSeconds.toFixed(1)} s; peak RSS ${s.peakRssMb.toFixed(0)} MB`,
  ];
  return lines;
}
