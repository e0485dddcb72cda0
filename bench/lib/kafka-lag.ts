import { ConfigResourceTypes, ConfigSource, type Consumer, type Kafka } from 'kafkajs';
import { summarize, type LatencySummary } from './load';

/**
 * Commit → on Kafka: for every event on the topic, the broker's append time (the topic is switched to
 * `message.timestamp.type=LogAppendTime`, so a message's timestamp is when the leader appended it)
 * minus the event's `occurred_at` (stamped by the api just before its append statement: it includes
 * the group-commit wait and the commit, so it is an upper bound of commit → append). Same clock: same
 * machine.
 */
export class KafkaLag {
  private readonly samples: { occurredAt: number; lagMs: number }[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topic: string): Promise<KafkaLag> {
    await useLogAppendTime(kafka, topic);
    const consumer = kafka.consumer({
      groupId: `bench-lag-${Date.now().toString(36)}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    const lag = new KafkaLag(consumer);
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const occurredAt = Date.parse(
            (JSON.parse(message.value?.toString() ?? '{}') as { occurred_at?: string }).occurred_at ?? '',
          );
          if (Number.isFinite(occurredAt))
            lag.samples.push({ occurredAt, lagMs: Number(message.timestamp) - occurredAt });
        }
      },
    });
    return lag;
  }

  /** Events that occurred in [fromMs, toMs) (epoch ms). */
  between(fromMs: number, toMs: number): LatencySummary {
    return summarize(
      this.samples.filter((s) => s.occurredAt >= fromMs && s.occurredAt < toMs).map((s) => s.lagMs),
    );
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** Sets LogAppendTime on `topic`, keeping its other overrides (AlterConfigs replaces all of them). */
async function useLogAppendTime(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const overrides = (described.resources[0]?.configEntries ?? [])
      .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !e.readOnly && e.configValue !== null)
      .map((e) => ({ name: e.configName, value: e.configValue }));
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            ...overrides.filter((e) => e.name !== 'message.timestamp.type'),
            { name: 'message.timestamp.type', value: 'LogAppendTime' },
          ],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}
