import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { Overloaded } from '@libs/database';
import { EventLoopDelay } from './event-loop-delay';

/** What admission control sees right now (`/health/ready` reports it). */
export interface AdmissionStatus {
  inFlight: number;
  /** The in-flight bound in force (0: none); below `OVERLOAD_MAX_INFLIGHT` after the event loop lagged. */
  limit: number;
  eventLoopDelayMs: number;
  /** True when the next hot-path request would be shed. */
  shedding: boolean;
}

/**
 * Admission control for the hot path (`/delegation`, refresh-token grants): admits a request only
 * while the process can still serve it within its latency budget — fewer admitted and unanswered than
 * the bound in force (`OVERLOAD_MAX_INFLIGHT`, lowered after event-loop windows whose p99 delay exceeds
 * `OVERLOAD_MAX_EVENT_LOOP_DELAY_MS`). Otherwise the request is refused at once (503 + `Retry-After`)
 * instead of queueing: a queue only adds waiting to every request behind it, and a lagging loop delays
 * the revocations too.
 *
 * The defaults (256 in flight, 500 ms) only catch a process that is far past its capacity; the bench
 * (`npm run bench:overload`) sets the tight figures a latency budget needs (docs/operations.md, "Overload").
 */
@Injectable()
export class AdmissionControl {
  private admitted = 0;
  /**
   * The in-flight bound in force: `OVERLOAD_MAX_INFLIGHT`, halved after each event-loop window that lags
   * past `OVERLOAD_MAX_EVENT_LOOP_DELAY_MS` (down to 1) and raised by an eighth of `OVERLOAD_MAX_INFLIGHT`
   * after each window that does not (back to the full bound within 2 s). Shrinking the bound rather than
   * shedding everything keeps a lagging process serving some exchanges: the lag may come from the
   * machine's other tenants, and a process that sheds all still lags answering the 503s.
   */
  private limit: number;

  constructor(
    private readonly config: AppConfig,
    private readonly delay: EventLoopDelay,
  ) {
    this.limit = config.overload.maxInFlight;
    delay.onWindow((recentMs) => this.adapt(recentMs));
  }

  /**
   * Admits one request (the caller must `release()` it once answered), or returns why not. Takes no
   * lock and does no I/O: a shed request costs the process almost nothing.
   */
  admit(): Overloaded | undefined {
    const refusal = this.refusal();
    if (!refusal) this.admitted++;
    return refusal;
  }

  /** One admitted request is answered (or its connection closed). */
  release(): void {
    this.admitted = Math.max(0, this.admitted - 1);
  }

  status(): AdmissionStatus {
    return {
      inFlight: this.admitted,
      limit: this.config.overload.maxInFlight === 0 ? 0 : this.limit,
      eventLoopDelayMs: Math.round(this.delay.recentMs * 10) / 10,
      shedding: this.refusal() !== undefined,
    };
  }

  private lagging(recentMs: number): boolean {
    const { maxEventLoopDelayMs } = this.config.overload;
    return maxEventLoopDelayMs > 0 && recentMs > maxEventLoopDelayMs;
  }

  /** One event-loop window completed: halve the bound if it lagged, raise it again if not. */
  private adapt(recentMs: number): void {
    const { maxInFlight } = this.config.overload;
    if (maxInFlight === 0) return;
    this.limit = this.lagging(recentMs)
      ? Math.max(1, Math.floor(this.limit / 2))
      : Math.min(maxInFlight, this.limit + Math.ceil(maxInFlight / 8));
  }

  private refusal(): Overloaded | undefined {
    const { maxInFlight, retryAfterSeconds } = this.config.overload;
    if (maxInFlight === 0) {
      return this.lagging(this.delay.recentMs)
        ? new Overloaded('event_loop_delay', retryAfterSeconds)
        : undefined;
    }
    if (this.admitted < this.limit) return undefined;
    return new Overloaded(this.limit < maxInFlight ? 'event_loop_delay' : 'in_flight', retryAfterSeconds);
  }
}
