import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';

/**
 * An idempotent producer that waits for every in-sync replica (acks=all): a resolved `send` means the
 * broker has the messages, and a retried send cannot write them twice.
 */
export class KafkaProducer {
  private producer: Producer;
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka) {
    this.producer = this.create();
  }

  private create(): Producer {
    // KIP-98: idempotence needs acks=all and, in kafkajs, one request in flight per connection.
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 of the key, as the Java client: a credential's events land on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Few retries here: callers (the outbox relay) keep their own backoff and keep the rows queued.
      retry: { retries: 3, maxRetryTime: 5_000 },
    });
  }

  /** Publishes messages to one topic, in order; resolves once the broker has acknowledged them all. */
  async send(topic: string, messages: Message[]): Promise<void> {
    await this.connect();
    try {
      await this.producer.send({ topic, messages, acks: -1 });
    } catch (error) {
      // kafkajs rolls a failed request's sequence numbers back, also for partitions the broker had
      // appended (one partition answering NOT_LEADER during a broker restart, a connection lost after
      // the append): every later send is then refused with OUT_OF_ORDER_SEQUENCE_NUMBER. A new producer
      // id starts its sequences afresh; the caller sends the batch again (at least once).
      this.reset();
      throw error;
    }
  }

  private reset(): void {
    const failed = this.producer;
    this.producer = this.create();
    this.connected = undefined;
    void failed.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /** Flushes and closes the connection; safe to call twice. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
