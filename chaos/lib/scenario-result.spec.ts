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
    expect(lines[3]).toMatch(/\| +1\.5 \| +4\.0 \|$/);
  });
});
