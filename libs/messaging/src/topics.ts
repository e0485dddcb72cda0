import type { AppConfig } from '@libs/config';
import type { TopicSpec } from './topic-admin';

/**
 * Topic names are built here and nowhere else.
 * The event log of device credentials: every `TokenIssued`, `TokenRevoked`, `IdTokenDelegated`.
 */
export function eventTopic(prefix: string): string {
  return `${prefix}auth.device-credentials.events.v1`;
}

/**
 * Topic-level settings of the event log, enforced on an existing topic too (`ensureTopics`). Retention
 * is infinite in time and size: auditors and new consumer groups read the log from the beginning, and
 * the hash chains need every event. `delete`, never `compact`: compaction keeps only the last event
 * per key, which would erase a credential's history down to its revocation.
 */
export const EVENT_TOPIC_CONFIG: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
};

/**
 * The event topic as the service creates it. With `acks=all`, `min.insync.replicas` is how many
 * replicas hold an event before it is acknowledged: 2 of 3 replicas survive the loss of a broker; a
 * single development broker can only have 1 of 1 (`KAFKA_REPLICATION_FACTOR`, `KAFKA_MIN_INSYNC_REPLICAS`).
 */
export function eventTopicSpec(kafka: AppConfig['kafka']): TopicSpec {
  return {
    name: eventTopic(kafka.topicPrefix),
    partitions: kafka.partitions,
    replicationFactor: kafka.replicationFactor,
    config: { ...EVENT_TOPIC_CONFIG, 'min.insync.replicas': String(kafka.minInsyncReplicas) },
    enforce: Object.keys(EVENT_TOPIC_CONFIG),
  };
}
