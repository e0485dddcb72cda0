/**
 * A semaphore with a bounded queue: at most `concurrency` tasks run at once, at most `queue` wait for a
 * slot, and a task beyond both is refused at once (`run` resolves `refused`) instead of waiting without
 * bound. For expensive work strangers can ask for (scrypt), so that it keeps to a share of the machine
 * and the requests behind it fail fast.
 *
 * @example
 * const hashing = new BoundedConcurrency(1, 16);
 * const outcome = await hashing.run(() => scrypt(password, salt, 32));
 * if (outcome.refused) throw new Overloaded('queue_full');
 */
export class BoundedConcurrency {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {
    if (!(concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
  }

  /** Tasks running now and tasks waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Runs `task` when a slot is free; `refused` (the task never ran) when every slot is taken and `queue`
   * tasks wait already. `queue` defaults to the bound; a caller that must not be refused (an
   * administrator's request, not a stranger's) passes `Infinity` and only waits its turn.
   */
  async run<T>(
    task: () => Promise<T>,
    queue = this.queue,
  ): Promise<{ refused: false; value: T } | { refused: true }> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= queue) return { refused: true };
      await new Promise<void>((start) => this.waiting.push(start));
    } else {
      this.running++;
    }
    try {
      return { refused: false, value: await task() };
    } finally {
      // The slot passes straight to the next waiter: `running` stays counted for it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
