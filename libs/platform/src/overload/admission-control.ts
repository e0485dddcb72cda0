import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { Overloaded } from '@libs/database';
import { EventLoopDelay } from './event-loop-delay';

/** What admission control sees right now (`/health/ready` reports it). */
export interface AdmissionStatus {
  inFlight: number;
  /** The in-flight bound in force (0: none); below `OVERLOAD_MAX_INFLIGHT` while the event loop lags. */
  limit: number;
  eventLoopDelayMs: number;
  /** True when the next hot-path request would be shed. */
  shedding: boolean;
}

/**
 * Admission control for the hot path (`/delegation`, refresh-token grants): admits a request only
 * while the process can still serve it within its latency budget — fewer admitted and unanswered than
 * the bound in force (`OVERLOAD_MAX_INFLIGHT`, lowered while the event loop's recent delay exceeds
 * `OVERLOAD_MAX_EVENT_LOOP_DELAY_MS`).
 * Otherwise the request is refused at once (503 + `Retry-After`) instead of queueing: a queue only
 * adds waiting to every request behind it, and a lagging loop delays the revocations too.
 */
@Injectable()
export class AdmissionControl {
  private admitted = 0;
  /**
   * The in-flight bound in force: `OVERLOAD_MAX_INFLIGHT`, halved each time a new event-loop window lags
   * past `OVERLOAD_MAX_EVENT_LOOP_DELAY_MS` and raised by one per window that does not. Shrinking the bound
   * rather than shedding everything keeps a lagging process serving some exchanges: the lag may come from
   * the machine's other tenants, and a process that sheds all still lags answering the 503s.
   */
  private limit: number;
  private lastWindow = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly delay: EventLoopDelay,
  ) {
    this.limit = config.overload.maxInFlight;
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
    const shedding = this.refusal() !== undefined; // first: it brings the bound up to date
    return {
      inFlight: this.admitted,
      limit: this.config.overload.maxInFlight === 0 ? 0 : this.limit,
      eventLoopDelayMs: Math.round(this.delay.recentMs * 10) / 10,
      shedding,
    };
  }

  private refusal(): Overloaded | undefined {
    const { maxInFlight, maxEventLoopDelayMs, retryAfterSeconds } = this.config.overload;
    const lagging = maxEventLoopDelayMs > 0 && this.delay.recentMs > maxEventLoopDelayMs;
    if (maxInFlight === 0) return lagging ? new Overloaded('event_loop_delay', retryAfterSeconds) : undefined;
    if (this.delay.window !== this.lastWindow) {
      this.lastWindow = this.delay.window;
      this.limit = lagging ? Math.max(1, Math.floor(this.limit / 2)) : Math.min(maxInFlight, this.limit + 1);
    }
    if (this.admitted < this.limit) return undefined;
    return new Overloaded(this.limit < maxInFlight ? 'event_loop_delay' : 'in_flight', retryAfterSeconds);
  }
}
