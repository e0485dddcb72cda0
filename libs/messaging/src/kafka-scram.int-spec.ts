import { randomBytes, randomUUID } from 'node:crypto';
import { logLevel, type Kafka } from 'kafkajs';
import { loadConfig } from '@libs/config';
import { DedicatedKafkaBroker, eventually } from '@libs/testing';
import { createKafka } from './kafka-client';
import { KafkaProducer } from './kafka-producer';

/**
 * KAFKA_SASL_* against a real broker that demands SASL/SCRAM (a private one: the shared broker stays
 * PLAINTEXT): the service's own client, built from validated configuration, produces and consumes with
 * the right password, for both SCRAM mechanisms, and is refused with a wrong one.
 */
describe('Kafka with SASL/SCRAM (a private broker)', () => {
  const password = randomBytes(12).toString('hex');
  let broker: DedicatedKafkaBroker;

  beforeAll(async () => {
    broker = await DedicatedKafkaBroker.create({ scramUsers: { 'rts-app': password } });
  }, 180_000);
  afterAll(async () => broker?.destroy(), 60_000);

  const kafkaWith = (mechanism: string, secret: string): Kafka =>
    createKafka(
      loadConfig({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'rts-app',
        KAFKA_SASL_PASSWORD: secret,
      }),
      'scram-test',
      // A wrong password fails at once; the right one may wait for the new broker's group coordinator.
      { retries: secret === password ? 8 : 0 },
    );

  it.each(['scram-sha-256', 'scram-sha-512'])(
    'produces and consumes with the right password (%s)',
    async (mechanism) => {
      const kafka = kafkaWith(mechanism, password);
      const topic = `scram-${mechanism}-${randomUUID()}`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = new KafkaProducer(kafka);
      await producer.send(topic, [{ key: 'k', value: 'over SCRAM' }]);
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: `scram-${randomUUID()}` });
      const read: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void read.push(message.value!.toString()) });
      try {
        // The first group on a fresh broker also waits for __consumer_offsets to be created.
        await eventually(() => read.length > 0, 90_000);
      } finally {
        await consumer.disconnect();
      }
      expect(read).toEqual(['over SCRAM']);
    },
    150_000,
  );

  it('is refused with a wrong password', async () => {
    const kafka = kafkaWith('scram-sha-256', `${password}-wrong`);
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow(
      /SASL SCRAM SHA256 authentication failed|Authentication failed/i,
    );
  }, 60_000);

  it('is refused without SASL: the broker speaks only SASL on its client port', async () => {
    const { Kafka: Client } = await import('kafkajs');
    const plain = new Client({
      clientId: 'plain',
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      requestTimeout: 3_000,
      retry: { retries: 0 },
    });
    const admin = plain.admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  }, 60_000);
});
