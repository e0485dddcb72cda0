import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { ConsumerGroup, REJOIN_DELAY_MS } from './consumer-group';

/** A kafkajs consumer reduced to what ConsumerGroup uses; `crash` emits kafkajs' CRASH event. */
function fakeKafka() {
  const emitter = new EventEmitter();
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
  };
  const crash = (restart: boolean) =>
    emitter.emit('consumer.crash', {
      payload: { error: new Error('Failed to find group coordinator'), restart },
    });
  return { kafka: { consumer: () => consumer } as unknown as Kafka, consumer, crash };
}

describe('ConsumerGroup', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const group = (kafka: Kafka) =>
    new ConsumerGroup(kafka, { groupId: 'g', topics: ['t'], eachBatch: async () => {} });

  it('joins again after a crash kafkajs gives up on (it would stay stopped for good)', async () => {
    const { kafka, consumer, crash } = fakeKafka();
    await group(kafka).start();
    crash(false);
    crash(false); // one rejoin, not two
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS);
    expect(consumer.run).toHaveBeenCalledTimes(2);
  });

  it('leaves a retriable crash to kafkajs, which restarts the member itself', async () => {
    const { kafka, consumer, crash } = fakeKafka();
    await group(kafka).start();
    crash(true);
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS * 2);
    expect(consumer.run).toHaveBeenCalledTimes(1);
  });

  it('does not join again once stopped', async () => {
    const { kafka, consumer, crash } = fakeKafka();
    const member = group(kafka);
    await member.start();
    crash(false);
    await member.stop();
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS * 2);
    expect(consumer.run).toHaveBeenCalledTimes(1);
  });

  it('keeps trying while joining fails', async () => {
    const { kafka, consumer, crash } = fakeKafka();
    await group(kafka).start();
    consumer.connect.mockRejectedValueOnce(new Error('broker down'));
    crash(false);
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS); // connect fails
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS); // joins
    expect(consumer.run).toHaveBeenCalledTimes(2);
  });
});
