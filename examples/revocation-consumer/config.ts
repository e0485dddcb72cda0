import { EVENT_TOPIC } from './contract';

/** The consumer's settings, read once from the environment at start. */
export interface ConsumerConfig {
  brokers: string[];
  topic: string;
  groupId: string;
  clientId: string;
  /** Where the deny-list is saved; without it the deny-list lives in memory and is rebuilt at each start. */
  denyListFile?: string;
}

/** A setting that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Builds the settings from environment variables (see the README's table). */
export function configFromEnv(env: Record<string, string | undefined>): ConsumerConfig {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const malformed = brokers.filter((b) => !/^[^\s:]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || malformed.length > 0) {
    throw new ConfigError(
      `KAFKA_BROKERS must be comma-separated host:port pairs, got "${env.KAFKA_BROKERS}"`,
    );
  }
  return {
    brokers,
    topic: env.TOPIC || `${env.KAFKA_TOPIC_PREFIX ?? ''}${EVENT_TOPIC}`,
    groupId: env.KAFKA_GROUP_ID || 'revocation-consumer-example',
    clientId: env.KAFKA_CLIENT_ID || 'revocation-consumer-example',
    denyListFile: env.DENYLIST_FILE || undefined,
  };
}
