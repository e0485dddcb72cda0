/**
 * Refused at once because the process is past what it can serve within its latency budget (a bounded
 * queue is full, too many requests in flight, the event loop lags). Nothing was written for the refused
 * work; the transport answers 503 `temporarily_unavailable` with `Retry-After` (see `OAuthExceptionFilter`).
 */
export class Overloaded extends Error {
  static readonly code = 'ERR_OVERLOADED';
  readonly code = Overloaded.code;

  /** @param retryAfterSeconds when the caller may try again (the `Retry-After` header). */
  constructor(
    readonly reason: 'queue_full' | 'in_flight' | 'event_loop_delay',
    readonly retryAfterSeconds = 1,
  ) {
    super(`Overloaded (${reason}): try again in ${retryAfterSeconds} s.`);
    this.name = 'Overloaded';
  }
}
