import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import { EventHasher } from '@libs/event-store';
import { ensureTopics, eventTopic, eventTopicSpec } from '@libs/messaging';
import { Metrics } from '@libs/platform';
import { DeviceCredentialProjection } from './device-credentials/device-credential.projection';
import { Projector } from './projector';

const RETRY_MS = 2_000;

/**
 * Runs the device-credential projector for the life of the process. Kafka being down at boot is not
 * fatal: the service keeps trying (readiness reports Kafka down meanwhile).
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectorService.name);
  readonly projector: Projector;
  private readonly topic: string;
  private stopped = false;
  private starting?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    db: DataSource,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.topic = eventTopic(config.kafka.topicPrefix);
    this.projector = new Projector(kafka, db, {
      groupId: `${config.kafka.topicPrefix}device-credential-projector`,
      topic: this.topic,
      projection: new DeviceCredentialProjection(),
      hasher: EventHasher.fromConfig(config),
      metrics,
    });
  }

  onApplicationBootstrap(): void {
    this.starting = this.startWhenKafkaAnswers();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.projector.stop();
  }

  private async startWhenKafkaAnswers(): Promise<void> {
    while (!this.stopped) {
      try {
        await ensureTopics(this.kafka, [eventTopicSpec(this.config.kafka)]);
        await this.projector.start();
        return;
      } catch (error) {
        this.metrics.failed(error, 'projector_start');
        this.logger.warn({ msg: 'projector cannot start yet; retrying', err: String(error) });
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
