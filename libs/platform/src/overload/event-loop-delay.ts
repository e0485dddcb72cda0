import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How often the recent delay is read and the histogram restarted: the window admission control sees. */
export const EVENT_LOOP_WINDOW_MS = 250;

/**
 * The event loop's recent delay: p99 of `perf_hooks.monitorEventLoopDelay` (a 10 ms timer's lateness)
 * over the last window. A loop that lags runs every callback of every request late, revocations
 * included, so admission control sheds the hot path before the lag reaches the latency budget.
 */
@Injectable()
export class EventLoopDelay implements OnModuleInit, OnModuleDestroy {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private recent = 0;
  private readonly listeners: ((recentMs: number) => void)[] = [];

  /** p99 delay (ms) of the last complete window; 0 before the first one. */
  get recentMs(): number {
    return this.recent;
  }

  /** Calls `listener` with each window's p99 delay as the window completes. */
  onWindow(listener: (recentMs: number) => void): void {
    this.listeners.push(listener);
  }

  onModuleInit(): void {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), EVENT_LOOP_WINDOW_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.histogram?.disable();
  }

  private sample(): void {
    if (!this.histogram) return;
    // Nanoseconds; a window without a sample (a loop stalled the whole window) counts as that window.
    this.recent = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : EVENT_LOOP_WINDOW_MS;
    this.histogram.reset();
    for (const listener of this.listeners) listener(this.recent);
  }
}
