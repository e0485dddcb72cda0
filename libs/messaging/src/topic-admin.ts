import { Logger } from '@nestjs/common';
import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic-level settings, given when the topic is created. */
  config?: Record<string, string>;
  /**
   * Settings of `config` that an existing topic is set back to when they differ: those whose drift
   * silently loses data. Any other difference is only reported.
   */
  enforce?: readonly string[];
}

/** A way an existing topic differs from its spec, and what `ensureTopics` did about it. */
export interface TopicDrift {
  topic: string;
  /** A topic setting, `partitions` or `replication.factor`. */
  setting: string;
  expected: string;
  actual: string;
  /** `corrected`: set back to `expected`. `reported`: left as it is; changing it is an operator's call. */
  action: 'corrected' | 'reported';
}

const logger = new Logger('TopicAdmin');

/**
 * Creates the topics that are missing and checks the ones that exist against their spec: `enforce`d
 * settings that differ are set back (and logged as a warning), every other difference is logged as an
 * error and left alone — partitions in particular, because adding some moves keys to other partitions
 * and breaks the per-key order consumers rely on. Resolves with the differences found.
 */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[]): Promise<TopicDrift[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? 1,
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const present = topics.filter((t) => existing.has(t.name));
    const drifts: TopicDrift[] = [];
    // Checking is best effort: a cluster that refuses to describe or alter configs must not stop
    // the service from publishing (events wait in the outbox, not in memory); it is logged instead.
    try {
      for (const spec of present) drifts.push(...(await reconcile(admin, spec)));
    } catch (error) {
      logger.error({ msg: 'cannot check the settings of existing topics', err: String(error) });
    }
    for (const drift of drifts) {
      if (drift.action === 'corrected') logger.warn({ msg: 'topic setting corrected', ...drift });
      else logger.error({ msg: 'topic differs from what the service expects; not changed', ...drift });
    }
    return drifts;
  } finally {
    await admin.disconnect();
  }
}

// `cleanup.policy` is a list: "compact,delete" and "delete,compact" are the same setting.
const normalise = (name: string, value: string) =>
  name === 'cleanup.policy'
    ? value
        .split(',')
        .map((v) => v.trim())
        .sort()
        .join(',')
    : value;

async function reconcile(admin: Admin, spec: TopicSpec): Promise<TopicDrift[]> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name }],
  });
  const entries = described.resources[0]?.configEntries ?? [];
  const actual = new Map(entries.map((e) => [e.configName, e.configValue]));
  const drifts: TopicDrift[] = [];
  const corrections: Record<string, string> = {};
  for (const [setting, expected] of Object.entries(spec.config ?? {})) {
    const value = actual.get(setting) ?? '';
    if (normalise(setting, value) === normalise(setting, expected)) continue;
    const enforced = spec.enforce?.includes(setting) ?? false;
    if (enforced) corrections[setting] = expected;
    drifts.push({
      topic: spec.name,
      setting,
      expected,
      actual: value,
      action: enforced ? 'corrected' : 'reported',
    });
  }

  const metadata = await admin.fetchTopicMetadata({ topics: [spec.name] });
  const partitions = metadata.topics[0]?.partitions ?? [];
  const report = (setting: string, expected: number, value: number) => {
    if (expected !== value)
      drifts.push({
        topic: spec.name,
        setting,
        expected: String(expected),
        actual: String(value),
        action: 'reported',
      });
  };
  report('partitions', spec.partitions, partitions.length);
  report('replication.factor', spec.replicationFactor ?? 1, partitions[0]?.replicas.length ?? 0);

  if (Object.keys(corrections).length === 0) return drifts;
  // AlterConfigs replaces every topic-level override: keep the ones set by others.
  const overrides = entries
    .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !e.readOnly && e.configValue !== null)
    .map((e) => [e.configName, e.configValue] as const);
  const configEntries = Object.entries({ ...Object.fromEntries(overrides), ...corrections }).map(
    ([name, value]) => ({ name, value }),
  );
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name, configEntries }],
    });
  } catch (error) {
    logger.error({ msg: 'cannot correct the topic settings', topic: spec.name, err: String(error) });
    return drifts.map((d) => ({ ...d, action: 'reported' as const }));
  }
  return drifts;
}
