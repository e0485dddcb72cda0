import { resultsTable } from './results-table';
import { columnCounts, passed, totalOf, violationsOf, type ScenarioResult } from './scenario-result';

const result = (name: string, breakdown: Record<string, number>, extra: Partial<ScenarioResult> = {}) =>
  ({
    name,
    title: name,
    events: 100,
    ackedOps: 90,
    breakdown,
    unavailable: 3,
    readyAfterS: 1.5,
    caughtUpAfterS: 4,
    durationS: 10,
    details: {},
    ...extra,
  }) satisfies ScenarioResult;

describe('scenario results', () => {
  it('sums breakdown keys into their columns', () => {
    expect(columnCounts({ 'lost.delegated': 1, 'lost.notOnTopic': 2, hangs: 0 })).toMatchObject({
      lost: 3,
      hangs: 0,
      duplicates: 0,
    });
    expect(() => columnCounts({ 'nonsense.x': 1 })).toThrow(/names no violation column/);
  });

  it('lists the non-zero counts and passes only when there are none', () => {
    const clean = result('a', { 'lost.delegated': 0 });
    const broken = result('b', { 'lost.delegated': 0, 'other.connectionErrors': 2 });
    expect(passed(clean)).toBe(true);
    expect(violationsOf(broken)).toEqual(['other.connectionErrors: 2']);
    expect(passed(broken)).toBe(false);
  });

  it('totals counts and keeps the worst recovery times', () => {
    const total = totalOf([
      result('a', { hangs: 1 }, { readyAfterS: 2 }),
      result('b', { hangs: 2 }, { readyAfterS: null, caughtUpAfterS: 9 }),
    ]);
    expect(total).toMatchObject({
      events: 200,
      ackedOps: 180,
      unavailable: 6,
      readyAfterS: 2,
      caughtUpAfterS: 9,
    });
    expect(total.breakdown).toEqual({ hangs: 3 });
  });

  it('prints one aligned Markdown row per scenario and a total row', () => {
    const table = resultsTable([result('projector-kill', { 'lost.x': 0 }), result('api-kill', { hangs: 1 })]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(5);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[0]).toMatch(/^\| scenario +\| events \| acked ops \| lost \|/);
    expect(lines[4]).toMatch(/^\| \*\*total\*\* +\| +200 \| +180 \|/);
    expect(lines[3]).toMatch(/\| +1\.5 \| +4\.0 \| +– \| +– \| +– \|$/);
  });

  it('shows the rotating families of a scenario that drove them, "–" for the checks the others did not make', () => {
    const rotating = result(
      'api-kill-rotating',
      { 'forked.versionGap': 0, 'revokedByMistake.revoked': 2 },
      { rotation: { families: 16, rotations: 900, siblingRotations: 5, retries: 40 } },
    );
    const table = resultsTable([result('api-kill', { hangs: 0 }), rotating]);
    const [header, , plain, withFamilies, total] = table.split('\n');
    expect(header).toMatch(
      /\| other \| forked \| revoked by mistake \|.*\| rotating families \| rotations \| sibling rotations \|$/,
    );
    expect(plain).toMatch(/\| +0 \| +– \| +– \| +3 \|.*\| +– \| +– \| +– \|$/);
    expect(withFamilies).toMatch(/\| +0 \| +0 \| +2 \| +3 \|.*\| +16 \| +900 \| +5 \|$/);
    expect(total).toMatch(/\| +16 \| +900 \| +5 \|$/);
    expect(totalOf([rotating, rotating]).rotation).toEqual({
      families: 32,
      rotations: 1800,
      siblingRotations: 10,
      retries: 80,
    });
  });
});
