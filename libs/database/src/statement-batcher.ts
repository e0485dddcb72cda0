import { ControlPlane } from './control-plane';
import { Overloaded } from './overloaded';

/** What a batched statement answers for one item (`undefined`: nothing, e.g. it lost a race). */
export type BatchResults<T, R> = ReadonlyMap<T, R>;

export interface BatcherOptions {
  /** Statements in flight at once, per lane. */
  maxInFlight: number;
  /** Items per statement. */
  maxBatch: number;
  /**
   * Items waiting for a statement (data plane) before `submit` rejects with `Overloaded` at once: a
   * request that cannot be served within its latency budget is refused, not queued for seconds.
   * Defaults to `StatementBatcher.maxQueue`.
   */
  maxQueue?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R | undefined) => void;
  reject: (error: unknown) => void;
}

/** One queue with its own statements in flight; a batch runs on its lane's plane (its connections). */
class Lane<T, R> {
  readonly queue: Pending<T, R>[] = [];
  inFlight = 0;

  constructor(readonly onPlane: <X>(work: () => X) => X) {}
}

/**
 * Group commit / group lookup for the hot path. While a statement is in flight, later items wait and
 * then go together in the next one: under load N concurrent requests cost one round trip (and, for
 * writes, one commit and one WAL flush) instead of N, while an idle process still runs each item at
 * once — there is no timer to wait for. On this class of machine a PostgreSQL round trip costs more
 * CPU in syscalls than the statement itself, so this is the largest lever on throughput.
 *
 * Two lanes: items submitted on the control plane (`ControlPlane.run`: revocations) have their own
 * queue and statements in flight, run on the control plane's connections, and are never refused; so a
 * revocation never waits behind a queue of delegations. The data-plane queue is bounded (`maxQueue`).
 */
export class StatementBatcher<T, R> {
  /**
   * The data-plane queue bound of batchers built without `maxQueue`; the process sets it once at boot
   * from `OVERLOAD_MAX_QUEUE` (see `ControlPlanePool`).
   */
  static maxQueue = 10_000;

  private readonly data = new Lane<T, R>(ControlPlane.outside);
  private readonly control = new Lane<T, R>(ControlPlane.run);
  private readonly options: Required<Omit<BatcherOptions, 'maxQueue'>> & Pick<BatcherOptions, 'maxQueue'>;

  /**
   * @param run runs ONE statement for the batch and maps each item to its result; a rejection fails the
   *   whole batch (for writes: the statement did not commit).
   */
  constructor(
    private readonly run: (items: T[]) => Promise<BatchResults<T, R>>,
    options: BatcherOptions = { maxInFlight: 2, maxBatch: 256 },
  ) {
    this.options = options;
  }

  /** Items waiting for a statement on the data plane (not yet in one). */
  get queued(): number {
    return this.data.queue.length;
  }

  /**
   * Resolves with the item's result once its batch's statement has completed; rejects at once with
   * `Overloaded` when the data-plane queue is full (the item was not run: nothing written).
   */
  submit(item: T): Promise<R | undefined> {
    const lane = ControlPlane.active() ? this.control : this.data;
    if (lane === this.data && lane.queue.length >= (this.options.maxQueue ?? StatementBatcher.maxQueue)) {
      return Promise.reject(new Overloaded('queue_full'));
    }
    return new Promise((resolve, reject) => {
      lane.queue.push({ item, resolve, reject });
      this.flush(lane);
    });
  }

  private flush(lane: Lane<T, R>): void {
    while (lane.inFlight < this.options.maxInFlight && lane.queue.length > 0) {
      const batch = lane.queue.splice(0, this.options.maxBatch);
      lane.inFlight++;
      lane
        .onPlane(() => this.run(batch.map((p) => p.item)))
        .then(
          (results) => batch.forEach((p) => p.resolve(results.get(p.item))),
          (error: unknown) => batch.forEach((p) => p.reject(error)),
        )
        .finally(() => {
          lane.inFlight--;
          this.flush(lane);
        });
    }
  }
}
