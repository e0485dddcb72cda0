import {
  LimitStore,
  type CounterOptions,
  type LimitCounter,
  type LimitSource,
  type WindowCount,
} from './limit-store';

/** Fixed windows in this process's memory: one process's own counts. */
export class MemoryCounter implements LimitCounter {
  private readonly windows = new Map<string, WindowCount>();
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private lastSweep = 0;

  constructor(options: Omit<CounterOptions, 'limit'>) {
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  }

  hit(key: string): Promise<WindowCount> {
    const now = this.now();
    this.sweep(now);
    let window = this.live(key);
    if (!window) {
      this.evict();
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return Promise.resolve({ ...window });
  }

  release(key: string): Promise<void> {
    const window = this.live(key);
    if (window && window.count > 0) window.count--;
    return Promise.resolve();
  }

  get(key: string): Promise<WindowCount | null> {
    const window = this.live(key);
    return Promise.resolve(window ? { ...window } : null);
  }

  delete(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  keysEndingWith(suffix: string): Promise<string[]> {
    return Promise.resolve([...this.windows.keys()].filter((key) => key.endsWith(suffix) && this.live(key)));
  }

  private live(key: string): WindowCount | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  // Every window lasts as long and Map iteration follows insertion, so the first keys are the windows that
  // end soonest: forgetting them first costs the least protection.
  private evict(): void {
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}

/** Every limiter counts in this process only (no `REDIS_URL`: one process, the in-process test stacks). */
export class MemoryLimitStore extends LimitStore {
  readonly kind = 'memory';

  counter(_name: string, options: CounterOptions): LimitCounter {
    return new MemoryCounter(options);
  }
}

/** The counter a limiter uses: its store's, or one of its own in memory with the given clock. */
export function counterFor(source: LimitSource, options: CounterOptions): LimitCounter {
  return typeof source === 'function'
    ? new MemoryCounter({ ...options, now: source })
    : source.store.counter(source.name, options);
}
