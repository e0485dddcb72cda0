import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How often the recent delay is read and the histogram restarted: the window admission control sees. */
const WINDOW_MS = 250;

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

  /** Counts the windows read so far: a new value means a new `recentMs`. */
  window = 0;

  /** p99 delay (ms) of the last complete window; 0 before the first one. */
  get recentMs(): number {
    return this.recent;
  }

  onModuleInit(): void {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), WINDOW_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.histogram?.disable();
  }

  private sample(): void {
    if (!this.histogram) return;
    // Nanoseconds; a window without a sample (a loop stalled the whole window) counts as that window.
    this.recent = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : WINDOW_MS;
    this.histogram.reset();
    this.window++;
  }
}
