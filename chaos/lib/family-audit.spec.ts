import { auditFamilies, type FamilyClient, type FamilyEvent } from './family-audit';

const ISSUED = '2026-12-03T10:00:00.000Z';

/** A stream as the api writes it: TokenIssued, then a TokenRotated + IdTokenDelegated per exchange. */
function stream(...rotations: [previous: string, next: string][]): FamilyEvent[] {
  const events: Omit<FamilyEvent, 'version' | 'previousHash' | 'hash'>[] = [
    { type: 'TokenIssued', hashVerifies: true, data: { token_hash: 't0' } },
  ];
  for (const [previous, next] of rotations) {
    events.push(
      { type: 'TokenRotated', hashVerifies: true, data: { previous_token_hash: previous, token_hash: next } },
      { type: 'IdTokenDelegated', hashVerifies: true, data: {} },
    );
  }
  return events.map((e, i) => ({
    ...e,
    version: i + 1,
    previousHash: i === 0 ? null : `h${i}`,
    hash: `h${i + 1}`,
  }));
}

const client = (received: string[], sent: Record<string, number> = {}): FamilyClient => ({
  key: 'device-0',
  familyId: 'dcr_1',
  received,
  sent: { ...Object.fromEntries(received.slice(0, -1).map((t) => [t, 1])), ...sent },
});

const violations = (audit: { breakdown: Record<string, number> }) =>
  Object.fromEntries(Object.entries(audit.breakdown).filter(([, n]) => n !== 0));

describe('rotating family audit', () => {
  it('passes a line of rotations the client followed', () => {
    const audit = auditFamilies(
      [client(['t0', 't1', 't2'])],
      new Map([['dcr_1', stream(['t0', 't1'], ['t1', 't2'])]]),
      5,
    );
    expect(violations(audit)).toEqual({});
    expect(audit).toMatchObject({ rotations: 2, siblingRotations: 0, unheldTokens: 0 });
  });

  it('counts a retry within the leeway as a sibling rotation, not a fork', () => {
    // t1's answer was lost in the kill; the client sent t1 again and got t3.
    const audit = auditFamilies(
      [client(['t0', 't1', 't3', 't4'], { t1: 2 })],
      new Map([['dcr_1', stream(['t0', 't1'], ['t1', 't2'], ['t1', 't3'], ['t3', 't4'])]]),
      5,
    );
    expect(violations(audit)).toEqual({});
    expect(audit).toMatchObject({ rotations: 4, siblingRotations: 1, unheldTokens: 1 });
  });

  it('finds forks: a sibling the client never retried, two siblings both used further', () => {
    const unexplained = auditFamilies(
      [client(['t0', 't1', 't3'])],
      new Map([['dcr_1', stream(['t0', 't1'], ['t1', 't2'], ['t1', 't3'])]]),
      5,
    );
    expect(violations(unexplained)).toEqual({ 'forked.unexplainedSibling': 1 });
    const twoBranches = auditFamilies(
      [client(['t0', 't1', 't3', 't4'], { t1: 2 })],
      new Map([['dcr_1', stream(['t0', 't1'], ['t1', 't2'], ['t1', 't3'], ['t2', 't5'], ['t3', 't4'])]]),
      5,
    );
    expect(violations(twoBranches)).toEqual({ 'forked.branchesInUse': 1 });
  });

  it("finds a rotation of another family's token and a token received but never recorded", () => {
    const audit = auditFamilies(
      [client(['t0', 't1', 't9'])],
      new Map([['dcr_1', stream(['t0', 't1'], ['x', 't2'])]]),
      5,
    );
    expect(violations(audit)).toEqual({ 'forked.previousNotInFamily': 1, 'lost.rotationNotInStore': 1 });
  });

  it('finds a gap in the versions and a broken or forged link', () => {
    const events = stream(['t0', 't1'], ['t1', 't2']);
    events[2] = { ...events[2], version: 4 };
    events[3] = { ...events[3], hashVerifies: false };
    const audit = auditFamilies([client(['t0', 't1', 't2'])], new Map([['dcr_1', events]]), 5);
    expect(violations(audit)).toEqual({ 'forked.versionGap': 1, 'forked.chainBroken': 1 });
  });

  it('counts a family ended by a reuse detection, a revocation or an expiry once, saying whether past the leeway', () => {
    const events = stream(['t0', 't1']);
    const retired = (s: number) => new Date(Date.parse(ISSUED) + s * 1000).toISOString();
    events.push(
      {
        type: 'RefreshTokenReused',
        version: 4,
        previousHash: 'h3',
        hash: 'h4',
        hashVerifies: true,
        data: { retired_at: ISSUED, detected_at: retired(7.5) },
      },
      {
        type: 'TokenRevoked',
        version: 5,
        previousHash: 'h4',
        hash: 'h5',
        hashVerifies: true,
        data: { reason: 'refresh_token_reuse' },
      },
    );
    const audit = auditFamilies([client(['t0', 't1'])], new Map([['dcr_1', events]]), 5);
    expect(violations(audit)).toEqual({ 'revokedByMistake.reusePastLeeway': 1 });
    expect(audit.samples.join('\n')).toMatch(/7\.5 s after the token was retired \(leeway 5 s\)/);
    const within = auditFamilies([client(['t0', 't1'])], new Map([['dcr_1', events]]), 10);
    expect(violations(within)).toEqual({ 'revokedByMistake.reuseWithinLeeway': 1 });
    const expired = stream(['t0', 't1']);
    expired.push({
      type: 'TokenExpired',
      version: 4,
      previousHash: 'h3',
      hash: 'h4',
      hashVerifies: true,
      data: {},
    });
    expect(violations(auditFamilies([client(['t0', 't1'])], new Map([['dcr_1', expired]]), 5))).toEqual({
      'revokedByMistake.expired': 1,
    });
  });

  it('counts a family whose issued token is in no stream as lost', () => {
    const audit = auditFamilies([{ ...client(['t0']), familyId: undefined }], new Map(), 5);
    expect(violations(audit)).toEqual({ 'lost.familyNotInStore': 1 });
  });
});
