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
});
