import { parseArgs } from 'node:util';
import { Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import { pgPool } from '@libs/database';
import { eventTopic, KafkaProducer } from '@libs/messaging';
import { AuditCommand, EXIT, UsageError, type AuditIo } from '../cli/audit-command';
import { formatCount, Progress } from '../cli/progress';
import { StoreRepublisher, type RepublishPhase, type RepublishResult } from './store-republisher';

const USAGE = `usage: npm run audit -- republish [--topic <topic>] [--json]

Disaster recovery of Kafka: publishes the event store's events (table events, in global order) that the
topic lacks, creating the topic (with the project's settings) if it is absent. Idempotent: it first reads
what the topic holds per stream and publishes only the events above each stream's highest version there,
so a second run publishes nothing. A stream the topic holds with a missing event below a present one
(or with an event the store does not have) cannot be repaired by appending, which would reorder it: the
run is then refused before publishing anything; publish into a fresh topic with --topic instead.

Stop the api (its outbox relay) while republishing into the live topic.

  --topic <topic>  topic to publish into (default: the event topic of KAFKA_TOPIC_PREFIX)
  --json           print the result as JSON on stdout

Exit codes: 0 the topic holds every event of the store, 1 refused (streams named), 64 bad usage.`;

/** `audit republish`: the event topic rebuilt from the store, publishing only what is missing. */
@Injectable()
export class RepublishCommand extends AuditCommand {
  static readonly help = {
    name: 'republish',
    summary: 'rebuild the event topic from the event store (idempotent: publishes only what is missing)',
    usage: USAGE,
  };

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: KafkaProducer,
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(args: string[], io: AuditIo): Promise<number> {
    const options = parse(args);
    const topic = options.topic ?? eventTopic(this.config.kafka.topicPrefix);
    const republisher = new StoreRepublisher(this.kafka, this.producer, pgPool(this.db));
    const bars: Partial<Record<RepublishPhase, Progress>> = {};
    let result: RepublishResult;
    try {
      result = await republisher.republish({
        topic,
        partitions: this.config.kafka.partitions,
        onPhase: (phase, total) => {
          bars.read?.finish();
          bars[phase] = new Progress(io.err, {
            label: phase === 'read' ? 'republish: reading the topic' : 'republish: publishing',
            unit: phase === 'read' ? 'messages' : 'events',
            total,
          });
        },
        onProgress: (phase, done) => bars[phase]?.update(done),
      });
    } finally {
      bars.read?.finish();
      bars.publish?.finish();
    }
    if (options.json) io.out.write(`${JSON.stringify(result, null, 2)}\n`);
    if (result.outcome === 'refused') {
      const freshPrefix = `recovered.${this.config.kafka.topicPrefix}`;
      io.err.write(`${formatRefusal(result, freshPrefix).join('\n')}\n`);
      return EXIT.findings;
    }
    if (!options.json) io.out.write(`${formatResult(result).join('\n')}\n`);
    return EXIT.ok;
  }
}

function parse(args: string[]) {
  try {
    const { values } = parseArgs({
      args,
      options: { topic: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    });
    if (values.topic === '') throw new Error('--topic: empty topic name');
    return values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function formatResult(r: Extract<RepublishResult, { outcome: 'published' }>): string[] {
  return [
    `republish: event store → ${r.topic}${r.created ? ' (created)' : ''}`,
    `  store events       ${formatCount(r.storeEvents)} (global positions up to ${r.lastPosition})`,
    `  topic held         ${formatCount(r.topicMessages)} messages` +
      (r.malformed > 0 ? ` (${formatCount(r.malformed)} not events, ignored)` : ''),
    `  already present    ${formatCount(r.alreadyPresent)}`,
    `  published          ${formatCount(r.published)}`,
    `  took               ${r.seconds.toFixed(1)} s`,
  ];
}

function formatRefusal(r: Extract<RepublishResult, { outcome: 'refused' }>, freshPrefix: string): string[] {
  return [
    `audit republish: refusing to append to ${r.topic}: ${r.brokenStreams} stream(s) there disagree ` +
      `with the event store, and appending cannot repair them; nothing was published.`,
    ...r.first.map((s) =>
      s.problem === 'gap'
        ? `  stream ${s.stream_id}: the topic holds version ${s.max_version} but misses an earlier one; ` +
          `appending it would put it after a later event`
        : `  stream ${s.stream_id}: the topic's version ${s.max_version} is not the store's event ` +
          `(different hash, or absent from the store): run \`npm run audit -- verify\``,
    ),
    ...(r.brokenStreams > r.first.length ? [`  … and ${r.brokenStreams - r.first.length} more`] : []),
    `Publish into a fresh topic instead: npm run audit -- republish --topic <new topic>, e.g.`,
    `  npm run audit -- republish --topic ${eventTopic(freshPrefix)}`,
    `then run the services with KAFKA_TOPIC_PREFIX=${freshPrefix} (the projector re-applies it idempotently).`,
  ];
}
