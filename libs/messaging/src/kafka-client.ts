import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { AppConfig } from '@libs/config';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'log',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own log lines into the process logger (JSON, one line each). */
function kafkaLogCreator() {
  return ({ namespace, level, log }: LogEntry) => {
    const logger = new Logger(`kafkajs:${namespace}`);
    const { message, ...details } = log;
    logger[LEVEL_NAMES[level] ?? 'log']({ msg: message, ...details });
  };
}

/**
 * TLS and SASL/SCRAM towards the brokers, from validated configuration (`KAFKA_SSL`,
 * `KAFKA_SASL_*`). SCRAM never sends the password; without TLS the traffic itself is still readable.
 */
export function kafkaSecurity(kafka: AppConfig['kafka']): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ...(kafka.ssl ? { ssl: true } : {}),
    ...(kafka.sasl ? { sasl: { ...kafka.sasl } as SASLOptions } : {}),
  };
}

/**
 * The one place a kafkajs client is built, from validated configuration.
 * `role` names the process (api, projector, audit) in the broker's client ids.
 */
export function createKafka(config: AppConfig, role: string, options: { retries?: number } = {}): Kafka {
  return new Kafka({
    clientId: `${config.kafka.clientId}-${role}`,
    brokers: config.kafka.brokers,
    ...kafkaSecurity(config.kafka),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: options.retries ?? 8 },
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator,
  });
}
