/** What came back for one request of the chaos traffic. */
export type Outcome =
  | { kind: 'response'; status: number; retryAfter?: string; error?: string }
  /** No complete answer within the request timeout: the client would hang. */
  | { kind: 'timeout' }
  /** Refused or reset before an answer (no process listening, killed mid-request). */
  | { kind: 'connection-error'; code: string };

/**
 * How one outcome counts. `acked` is a 2xx: an acknowledged operation whose effect must be durable.
 * `refused` is a 4xx the traffic expects (a token it had revoked); `unavailable` a 503 done right
 * (`temporarily_unavailable` with `Retry-After`). Every other category is a violation, except
 * `excused-connection-error`: a refused connection while the chaos itself had the api down.
 */
export type Category =
  | 'acked'
  | 'refused'
  | 'unavailable'
  | 'bad-unavailable'
  | 'server-error'
  | 'unexpected-4xx'
  | 'hang'
  | 'connection-error'
  | 'excused-connection-error';

export interface ClassifyContext {
  /** A 403 `invalid_grant` is expected: the token's revocation was sent before this answer arrived. */
  refusalExpected?: boolean;
  /** The api was down on purpose (killed, restarting): connection errors are the fault, not a failure. */
  apiDown?: boolean;
}

/** Sorts one outcome into its category (pure; the traffic generator tallies the categories). */
export function classifyOutcome(outcome: Outcome, context: ClassifyContext = {}): Category {
  switch (outcome.kind) {
    case 'timeout':
      return 'hang';
    case 'connection-error':
      return context.apiDown ? 'excused-connection-error' : 'connection-error';
    case 'response': {
      const { status } = outcome;
      if (status >= 200 && status < 300) return 'acked';
      if (status === 503) {
        const retryAfter = outcome.retryAfter !== undefined && outcome.retryAfter.trim() !== '';
        return retryAfter && outcome.error === 'temporarily_unavailable' ? 'unavailable' : 'bad-unavailable';
      }
      if (status >= 500) return 'server-error';
      if (status === 403 && outcome.error === 'invalid_grant' && context.refusalExpected) return 'refused';
      return 'unexpected-4xx';
    }
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}
