import { ChaosLedger } from './chaos-ledger';

const ok = { kind: 'response', status: 200 } as const;
const refused = { kind: 'response', status: 403, error: 'invalid_grant' } as const;

describe('ChaosLedger', () => {
  it('keeps acknowledged operations per scenario', () => {
    const ledger = new ChaosLedger();
    ledger.begin('one');
    ledger.recordIssue(ok, { tokenKey: 't1', userId: 'u', clientId: 'c', device: 'd1' }, false);
    ledger.recordDelegation('delegate', 't1', 1n, ok, 'jti-1', false);
    const two = ledger.begin('two');
    ledger.recordDelegation('refresh', 't1', 2n, ok, 'jti-2', false);
    ledger.recordRevocation('revoke-oauth', 't1', 3n, { kind: 'response', status: 200 }, false);

    const [, one] = ledger.segments;
    expect(one.issued).toHaveLength(1);
    expect(one.delegatedJtis).toEqual(['jti-1']);
    expect(one.categories.acked).toBe(2);
    expect(two.delegatedJtis).toEqual(['jti-2']);
    expect(two.revokedTokens).toEqual(['t1']);
    expect(two.acked).toMatchObject({ refresh: 1, 'revoke-oauth': 1, delegate: 0 });
    expect(ledger.ackedOps()).toBe(2);
  });

  it('counts a delegation that began after its token revocation returned and still succeeded', () => {
    const ledger = new ChaosLedger();
    ledger.revocationSent('t1', 10n);
    ledger.recordRevocation('revoke-management', 't1', 20n, { kind: 'response', status: 204 }, false);
    ledger.recordDelegation('delegate', 't1', 15n, ok, 'raced', false); // began before the return: allowed
    expect(ledger.segment.acceptedAfterRevoke).toBe(0);
    ledger.recordDelegation('delegate', 't1', 21n, ok, 'late', false);
    expect(ledger.segment.acceptedAfterRevoke).toBe(1);
    expect(ledger.segment.samples.join('\n')).toMatch(/began after its revocation returned/);
  });

  it('expects refusals only for tokens whose revocation was sent', () => {
    const ledger = new ChaosLedger();
    expect(ledger.recordDelegation('delegate', 't1', 1n, refused, undefined, false)).toBe('unexpected-4xx');
    ledger.revocationSent('t1', 2n);
    expect(ledger.recordDelegation('delegate', 't1', 3n, refused, undefined, false)).toBe('refused');
    expect(ledger.segment.categories).toMatchObject({ refused: 1, 'unexpected-4xx': 1 });
  });

  it('uses the first acknowledgement of a revocation: a second revoke does not move the moment', () => {
    const ledger = new ChaosLedger();
    ledger.recordRevocation('revoke-oauth', 't1', 5n, { kind: 'response', status: 200 }, false);
    ledger.recordRevocation('revoke-oauth', 't1', 50n, { kind: 'response', status: 200 }, false);
    ledger.recordDelegation('delegate', 't1', 6n, ok, 'late', false);
    expect(ledger.segment.acceptedAfterRevoke).toBe(1);
  });

  it('does not count a failed revocation as returned', () => {
    const ledger = new ChaosLedger();
    const unavailable = { kind: 'response', status: 503, error: 'temporarily_unavailable', retryAfter: '5' };
    ledger.recordRevocation('revoke-management', 't1', 5n, unavailable as never, false);
    ledger.recordDelegation('delegate', 't1', 6n, ok, 'fine', false);
    expect(ledger.segment.acceptedAfterRevoke).toBe(0);
    expect(ledger.segment.categories.unavailable).toBe(1);
  });

  it('samples violations and excuses connection errors while the api is down', () => {
    const ledger = new ChaosLedger();
    ledger.recordIssue({ kind: 'connection-error', code: 'ECONNREFUSED' }, undefined, true);
    ledger.recordIssue({ kind: 'timeout' }, undefined, false);
    expect(ledger.segment.categories).toMatchObject({ 'excused-connection-error': 1, hang: 1 });
    expect(ledger.segment.samples).toEqual(['issue: hang (no answer within the request timeout)']);
  });
});
