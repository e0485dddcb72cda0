import { classifyOutcome, type Category, type Outcome } from './response-outcome';

/** The operations the chaos traffic sends. */
export type Operation = 'issue' | 'delegate' | 'refresh' | 'revoke-management' | 'revoke-oauth';

/** An acknowledged password grant: the store must hold a `TokenIssued` for this user, client and device. */
export interface IssuedAck {
  tokenKey: string;
  userId: string;
  clientId: string;
  device: string;
}

/** One scenario's share of the traffic: tallies by category and the acknowledged operations. */
export interface LedgerSegment {
  name: string;
  categories: Record<Category, number>;
  acked: Record<Operation, number>;
  issued: IssuedAck[];
  /** `jti` of every id_token handed out (from `/delegation` and the refresh grant). */
  delegatedJtis: string[];
  /** Tokens whose revocation was acknowledged (by the Management API or /oauth/revoke). */
  revokedTokens: string[];
  /** Delegations that began after their token's revocation had returned, and still got an id_token. */
  acceptedAfterRevoke: number;
  /** The first few violations, to say what happened. */
  samples: string[];
}

const SAMPLES = 10;
const VIOLATIONS: ReadonlySet<Category> = new Set([
  'bad-unavailable',
  'server-error',
  'unexpected-4xx',
  'hang',
  'connection-error',
]);

function emptySegment(name: string): LedgerSegment {
  return {
    name,
    categories: {
      acked: 0,
      refused: 0,
      unavailable: 0,
      'bad-unavailable': 0,
      'server-error': 0,
      'unexpected-4xx': 0,
      hang: 0,
      'connection-error': 0,
      'excused-connection-error': 0,
    },
    acked: { issue: 0, delegate: 0, refresh: 0, 'revoke-management': 0, 'revoke-oauth': 0 },
    issued: [],
    delegatedJtis: [],
    revokedTokens: [],
    acceptedAfterRevoke: 0,
    samples: [],
  };
}

/**
 * Everything the chaos traffic was told, kept per scenario: what was acknowledged (so the checks can
 * look for its effect in the store) and when each revocation returned (so a delegation that started
 * later and still succeeded is caught). Times are monotonic nanoseconds (`process.hrtime.bigint()`),
 * passed in so the ledger stays pure.
 */
export class ChaosLedger {
  private current: LedgerSegment = emptySegment('setup');
  readonly segments: LedgerSegment[] = [this.current];
  /** When each token's revocation was first sent; a refusal after that is expected. */
  private readonly revokeSent = new Map<string, bigint>();
  /** When each token's revocation was first acknowledged. */
  private readonly revokeReturned = new Map<string, bigint>();

  /** Starts a new segment: later records count for the scenario `name`. */
  begin(name: string): LedgerSegment {
    this.current = emptySegment(name);
    this.segments.push(this.current);
    return this.current;
  }

  get segment(): LedgerSegment {
    return this.current;
  }

  /** Acknowledged operations of the current segment. */
  ackedOps(): number {
    return this.current.categories.acked;
  }

  revocationSent(tokenKey: string, at: bigint): void {
    if (!this.revokeSent.has(tokenKey)) this.revokeSent.set(tokenKey, at);
  }

  isRevocationSent(tokenKey: string): boolean {
    return this.revokeSent.has(tokenKey);
  }

  recordIssue(outcome: Outcome, ack: IssuedAck | undefined, apiDown: boolean): Category {
    const category = this.tally('issue', outcome, { apiDown });
    if (category === 'acked' && ack) this.current.issued.push(ack);
    return category;
  }

  /**
   * A delegation (`/delegation` or the refresh grant) that began at `startedAt`. An id_token after the
   * token's revocation had returned counts against the revocation guarantee.
   */
  recordDelegation(
    operation: 'delegate' | 'refresh',
    tokenKey: string,
    startedAt: bigint,
    outcome: Outcome,
    jti: string | undefined,
    apiDown: boolean,
  ): Category {
    const category = this.tally(operation, outcome, {
      apiDown,
      refusalExpected: this.revokeSent.has(tokenKey),
    });
    if (category !== 'acked') return category;
    if (jti) this.current.delegatedJtis.push(jti);
    const revokedAt = this.revokeReturned.get(tokenKey);
    if (revokedAt !== undefined && startedAt > revokedAt) {
      this.current.acceptedAfterRevoke++;
      this.sample(`${operation} of token ${tokenKey} began after its revocation returned, and got 200`);
    }
    return category;
  }

  recordRevocation(
    operation: 'revoke-management' | 'revoke-oauth',
    tokenKey: string,
    returnedAt: bigint,
    outcome: Outcome,
    apiDown: boolean,
  ): Category {
    const category = this.tally(operation, outcome, { apiDown });
    if (category === 'acked') {
      if (!this.revokeReturned.has(tokenKey)) this.revokeReturned.set(tokenKey, returnedAt);
      this.current.revokedTokens.push(tokenKey);
    }
    return category;
  }

  private tally(
    operation: Operation,
    outcome: Outcome,
    context: { apiDown: boolean; refusalExpected?: boolean },
  ): Category {
    const category = classifyOutcome(outcome, context);
    this.current.categories[category]++;
    if (category === 'acked') this.current.acked[operation]++;
    if (VIOLATIONS.has(category)) this.sample(`${operation}: ${category} (${describe(outcome)})`);
    return category;
  }

  private sample(text: string): void {
    if (this.current.samples.length < SAMPLES) this.current.samples.push(text);
  }
}

function describe(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.status}${outcome.error ? ` ${outcome.error}` : ''}${
        outcome.retryAfter ? `, Retry-After ${outcome.retryAfter}` : ''
      }`;
    case 'timeout':
      return 'no answer within the request timeout';
    case 'connection-error':
      return outcome.code;
  }
}
