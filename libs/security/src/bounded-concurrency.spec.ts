import { BoundedConcurrency } from './bounded-concurrency';

describe('BoundedConcurrency', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs at most `concurrency` tasks at once, queues up to `queue`, and refuses the rest at once', async () => {
    const gate = new BoundedConcurrency(2, 3);
    const release = deferred();
    let active = 0;
    let peak = 0;
    const task = async () => {
      active++;
      peak = Math.max(peak, active);
      await release.promise;
      active--;
      return 'done';
    };
    const outcomes = Array.from({ length: 8 }, () => gate.run(task));
    await new Promise((r) => setImmediate(r));
    expect(gate.load).toEqual({ running: 2, waiting: 3 });
    release.resolve();
    const settled = await Promise.all(outcomes);
    expect(settled.filter((o) => o.refused)).toHaveLength(3);
    expect(settled.filter((o) => !o.refused)).toHaveLength(5);
    expect(peak).toBe(2);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot of a task that throws', async () => {
    const gate = new BoundedConcurrency(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve(1))).toEqual({ refused: false, value: 1 });
  });
});
