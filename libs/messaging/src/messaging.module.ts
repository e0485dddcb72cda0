import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { AppConfig } from '@libs/config';
import { createKafka } from './kafka-client';
import { KafkaProducer } from './kafka-producer';
import { KafkaProbe } from './kafka-probe';

const ROLE = Symbol('KAFKA_ROLE');

/** The process's Kafka client, its producer and its readiness probe, closed on shutdown. */
@Global()
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  constructor(
    @Inject(KafkaProducer) private readonly producer: KafkaProducer,
    @Inject(KafkaProbe) private readonly readiness: KafkaProbe,
  ) {}

  static forRoot(role: string): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: ROLE, useValue: role },
        { provide: Kafka, inject: [AppConfig, ROLE], useFactory: createKafka },
        { provide: KafkaProducer, inject: [Kafka], useFactory: (kafka: Kafka) => new KafkaProducer(kafka) },
        {
          provide: KafkaProbe,
          inject: [AppConfig, ROLE],
          useFactory: (config: AppConfig, role: string) =>
            new KafkaProbe(createKafka(config, `${role}-probe`, { retries: 0 })),
        },
      ],
      exports: [Kafka, KafkaProducer, KafkaProbe],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.readiness.close()]);
  }
}
