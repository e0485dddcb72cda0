import { ControlPlane } from './control-plane';
import { Overloaded } from './overloaded';
import { StatementBatcher } from './statement-batcher';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('StatementBatcher', () => {
  it('runs an item at once when idle, and groups the items that arrive while statements are in flight', async () => {
    const calls: number[][] = [];
    const pending: ReturnType<typeof deferred<Map<number, string>>>[] = [];
    const batcher = new StatementBatcher<number, string>(
      (items) => {
        calls.push(items);
        const d = deferred<Map<number, string>>();
        pending.push(d);
        return d.promise;
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((n) => batcher.submit(n));
    expect(calls).toEqual([[1]]);
    pending[0].resolve(new Map([[1, 'one']]));
    await expect(first).resolves.toBe('one');
    expect(calls).toEqual([[1], [2, 3, 4]]);
    pending[1].resolve(
      new Map([
        [2, 'two'],
        [4, 'four'],
      ]),
    );
    await expect(Promise.all(rest)).resolves.toEqual(['two', undefined, 'four']);
  });

  it('caps a batch and the statements in flight', () => {
    const calls: number[][] = [];
    const batcher = new StatementBatcher<number, never>(
      (items) => {
        calls.push(items);
        return new Promise(() => undefined);
      },
      { maxInFlight: 2, maxBatch: 2 },
    );
    for (let n = 1; n <= 7; n++) void batcher.submit(n);
    expect(calls).toEqual([[1], [2]]);
  });

  it('fails every item of a batch whose statement failed, and carries on with the next batch', async () => {
    let fail = true;
    const batcher = new StatementBatcher<number, number>(async (items) => {
      if (fail) throw new Error('connection lost');
      return new Map(items.map((n) => [n, n * 2]));
    });
    const failed = [batcher.submit(1), batcher.submit(2)];
    await expect(Promise.all(failed)).rejects.toThrow('connection lost');
    await Promise.allSettled(failed);
    fail = false;
    await expect(batcher.submit(3)).resolves.toBe(6);
  });

  describe('under overload', () => {
    it('refuses an item at once with Overloaded when the data-plane queue is full, without running it', async () => {
      const calls: number[][] = [];
      const batcher = new StatementBatcher<number, never>(
        (items) => {
          calls.push(items);
          return new Promise(() => undefined);
        },
        { maxInFlight: 1, maxBatch: 10, maxQueue: 3 },
      );
      for (let n = 1; n <= 4; n++) void batcher.submit(n); // 1 in flight, 2-4 queued
      expect(batcher.queued).toBe(3);
      const refused = batcher.submit(5);
      await expect(refused).rejects.toBeInstanceOf(Overloaded);
      await expect(refused).rejects.toMatchObject({ code: 'ERR_OVERLOADED', reason: 'queue_full' });
      expect(calls).toEqual([[1]]);
      expect(batcher.queued).toBe(3);
    });

    it('runs a control-plane item at once in its own lane while the data plane is busy and queued', async () => {
      const calls: { items: number[]; control: boolean }[] = [];
      const batcher = new StatementBatcher<number, string>(
        (items) => {
          calls.push({ items, control: ControlPlane.active() });
          if (items.includes(100)) return Promise.resolve(new Map([[100, 'revoked']]));
          return new Promise(() => undefined); // the data plane's statements never finish
        },
        { maxInFlight: 1, maxBatch: 10, maxQueue: 2 },
      );
      for (let n = 1; n <= 3; n++) void batcher.submit(n); // the data plane is full: 1 in flight, 2 queued
      await expect(batcher.submit(4)).rejects.toBeInstanceOf(Overloaded);
      await expect(ControlPlane.run(() => batcher.submit(100))).resolves.toBe('revoked');
      expect(calls).toEqual([
        { items: [1], control: false },
        { items: [100], control: true },
      ]);
    });

    it('runs a data-plane batch off the control plane even when a control-plane caller flushed it', async () => {
      let finish!: () => void;
      const planes: boolean[] = [];
      const batcher = new StatementBatcher<number, true>(
        (items) => {
          planes.push(ControlPlane.active());
          if (items[0] === 1) return new Promise((r) => (finish = () => r(new Map([[1, true]]))));
          return Promise.resolve(new Map(items.map((n) => [n, true as const])));
        },
        { maxInFlight: 1, maxBatch: 10 },
      );
      const first = ControlPlane.outside(() => batcher.submit(1));
      const second = batcher.submit(2);
      // The first statement completes from inside control-plane work: the next data batch stays data.
      ControlPlane.run(() => finish());
      await Promise.all([first, second]);
      expect(planes).toEqual([false, false]);
    });
  });
});
