/** What a batched statement answers for one item (`undefined`: nothing, e.g. it lost a race). */
export type BatchResults<T, R> = ReadonlyMap<T, R>;

/**
 * Group commit / group lookup for the hot path. While a statement is in flight, later items wait and
 * then go together in the next one: under load N concurrent requests cost one round trip (and, for
 * writes, one commit and one WAL flush) instead of N, while an idle process still runs each item at
 * once — there is no timer to wait for. On this class of machine a PostgreSQL round trip costs more
 * CPU in syscalls than the statement itself, so this is the largest lever on throughput.
 */
export class StatementBatcher<T, R> {
  private queue: { item: T; resolve: (result: R | undefined) => void; reject: (error: unknown) => void }[] =
    [];
  private inFlight = 0;

  /**
   * @param run runs ONE statement for the batch and maps each item to its result; a rejection fails the
   *   whole batch (for writes: the statement did not commit).
   */
  constructor(
    private readonly run: (items: T[]) => Promise<BatchResults<T, R>>,
    private readonly options = { maxInFlight: 2, maxBatch: 256 },
  ) {}

  /** Resolves with the item's result once its batch's statement has completed. */
  submit(item: T): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.run(batch.map((p) => p.item))
        .then(
          (results) => batch.forEach((p) => p.resolve(results.get(p.item))),
          (error: unknown) => batch.forEach((p) => p.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.flush();
        });
    }
  }
}
