import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { TopicSnapshotReader } from './topic-snapshot.reader';

const CRASH = 'consumer.crash';

/** Just enough of a kafkajs consumer: `run` hands `script` the emitter and the batch callback. */
function fakeKafka(
  script: (crash: (restart: boolean) => void, deliver: (offsets: number[]) => Promise<void>) => void,
) {
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH },
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
    connect: async () => undefined,
    subscribe: async () => undefined,
    disconnect: jest.fn(async () => undefined),
    run: async ({ eachBatch }: { eachBatch: (payload: unknown) => Promise<void> }) => {
      const crash = (restart: boolean) =>
        emitter.emit(CRASH, { payload: { error: new Error('coordinator loading'), restart } });
      const deliver = (offsets: number[]) =>
        eachBatch({
          batch: {
            partition: 0,
            messages: offsets.map((o) => ({ offset: String(o) })),
            lastOffset: () => String(offsets[offsets.length - 1]),
          },
          pause: () => undefined,
          heartbeat: async () => undefined,
        });
      setImmediate(() => script(crash, deliver));
    },
  };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    deleteGroups: async () => [],
  };
  return { kafka: { consumer: () => consumer, admin: () => admin } as unknown as Kafka, consumer };
}

const range = [{ partition: 0, low: 0n, end: 2n }];

describe('TopicSnapshotReader.read', () => {
  it('rides out a crash kafkajs restarts from (the coordinator still loading) and reads to the end', async () => {
    const { kafka, consumer } = fakeKafka(async (crash, deliver) => {
      crash(true);
      await deliver([0, 1]);
    });
    const seen: string[] = [];
    await new TopicSnapshotReader(kafka).read({
      topic: 't',
      ranges: range,
      groupPrefix: 'spec',
      onBatch: async ({ messages }) => void seen.push(...messages.map((m) => m.offset)),
    });
    expect(seen).toEqual(['0', '1']);
    expect(consumer.disconnect).toHaveBeenCalled();
  });

  it('rejects on a crash kafkajs gives up on, and still disconnects', async () => {
    const { kafka, consumer } = fakeKafka((crash) => crash(false));
    await expect(
      new TopicSnapshotReader(kafka).read({
        topic: 't',
        ranges: range,
        groupPrefix: 'spec',
        onBatch: async () => {},
      }),
    ).rejects.toThrow('coordinator loading');
    expect(consumer.disconnect).toHaveBeenCalled();
  });
});
