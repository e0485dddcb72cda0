/**
 * The violation columns of the chaos table, in order. Each must be 0. A breakdown key
 * `<column>.<detail>` (e.g. `lost.delegated`) adds to its column, so the table stays narrow while the
 * JSON and the violation list say exactly what was counted.
 */
export const VIOLATION_COLUMNS = [
  'lost',
  'duplicates',
  'viewReplay',
  'revokedAccepted',
  'serverErrors',
  'badUnavailable',
  'hangs',
  'other',
  /** Rotating families whose chain is not one line of tokens (api-kill-rotating). */
  'forked',
  /** Rotating families revoked or ended although no client reused a token past the leeway. */
  'revokedByMistake',
] as const;

export type ViolationColumn = (typeof VIOLATION_COLUMNS)[number];

/** What a scenario with rotating refresh-token families did with them (counts, not violations). */
export interface RotationCounts {
  /** Families driven (one client each, exchanging its current token in a loop). */
  families: number;
  /** `TokenRotated` events in their streams. */
  rotations: number;
  /**
   * Rotations of a token that another rotation had already retired: a network retry within the
   * leeway, after an answer lost in the kill (the token it returned was never received).
   */
  siblingRotations: number;
  /** Requests the clients sent again with the same token after no answer (or a 5xx/503). */
  retries: number;
}

export interface ScenarioResult {
  name: string;
  title: string;
  /** Events appended to the store during the scenario. */
  events: number;
  /** 2xx answers the traffic got during the scenario. */
  ackedOps: number;
  /** Violation counts by `<column>.<detail>`; every value must be 0. */
  breakdown: Record<string, number>;
  /** 503 `temporarily_unavailable` with `Retry-After`: the right answer during an outage. */
  unavailable: number;
  /** Seconds from the end of the fault until every process answered `/health/ready` with 200. */
  readyAfterS: number | null;
  /** Seconds from the end of the fault until the view held every event committed before it. */
  caughtUpAfterS: number | null;
  durationS: number;
  /** Only for a scenario that drives rotating families. */
  rotation?: RotationCounts;
  details: Record<string, unknown>;
}

/** Sums a breakdown into the table's columns. */
export function columnCounts(breakdown: Record<string, number>): Record<ViolationColumn, number> {
  const counts = Object.fromEntries(VIOLATION_COLUMNS.map((c) => [c, 0])) as Record<ViolationColumn, number>;
  for (const [key, value] of Object.entries(breakdown)) {
    const column = key.split('.')[0] as ViolationColumn;
    if (!(column in counts)) throw new Error(`breakdown key ${key} names no violation column`);
    counts[column] += value;
  }
  return counts;
}

/** Whether the breakdown has any key of `column` (a check the scenario did not make shows as "–"). */
export function checked(breakdown: Record<string, number>, column: ViolationColumn): boolean {
  return Object.keys(breakdown).some((key) => key.split('.')[0] === column);
}

/** The non-zero breakdown entries of one result, as `<key>: <count>`. */
export function violationsOf(result: Pick<ScenarioResult, 'breakdown'>): string[] {
  return Object.entries(result.breakdown)
    .filter(([, n]) => n !== 0)
    .map(([key, n]) => `${key}: ${n}`);
}

export function passed(result: Pick<ScenarioResult, 'breakdown'>): boolean {
  return violationsOf(result).length === 0;
}

/** One row summing every scenario: counts add up, recovery times take the worst. */
export function totalOf(results: readonly ScenarioResult[]): ScenarioResult {
  const breakdown: Record<string, number> = {};
  for (const r of results)
    for (const [key, n] of Object.entries(r.breakdown)) breakdown[key] = (breakdown[key] ?? 0) + n;
  const worst = (pick: (r: ScenarioResult) => number | null) => {
    const values = results.map(pick).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  const rotated = results.filter((r) => r.rotation);
  const rotationSum = (pick: (c: RotationCounts) => number) =>
    rotated.reduce((n, r) => n + pick(r.rotation!), 0);
  return {
    name: 'total',
    title: 'all scenarios',
    events: results.reduce((n, r) => n + r.events, 0),
    ackedOps: results.reduce((n, r) => n + r.ackedOps, 0),
    breakdown,
    unavailable: results.reduce((n, r) => n + r.unavailable, 0),
    readyAfterS: worst((r) => r.readyAfterS),
    caughtUpAfterS: worst((r) => r.caughtUpAfterS),
    durationS: results.reduce((n, r) => n + r.durationS, 0),
    ...(rotated.length
      ? {
          rotation: {
            families: rotationSum((c) => c.families),
            rotations: rotationSum((c) => c.rotations),
            siblingRotations: rotationSum((c) => c.siblingRotations),
            retries: rotationSum((c) => c.retries),
          },
        }
      : {}),
    details: {},
  };
}
