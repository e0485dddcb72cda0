import { checked, columnCounts, totalOf, type ScenarioResult } from './scenario-result';

const HEADERS = [
  'scenario',
  'events',
  'acked ops',
  'lost',
  'duplicates',
  'view≠replay',
  'revoked-accepted',
  '5xx',
  '503 w/o Retry-After',
  'hangs',
  'other',
  'forked',
  'revoked by mistake',
  '503s (ok)',
  'ready after (s)',
  'view caught up after (s)',
  'rotating families',
  'rotations',
  'sibling rotations',
] as const;

const seconds = (value: number | null) => (value === null ? '–' : value.toFixed(1));
/** A count, or "–" where the scenario has nothing of the kind (no rotating families). */
const count = (value: number | undefined) => (value === undefined ? '–' : String(value));

function cells(result: ScenarioResult): string[] {
  const c = columnCounts(result.breakdown);
  return [
    result.name,
    String(result.events),
    String(result.ackedOps),
    String(c.lost),
    String(c.duplicates),
    String(c.viewReplay),
    String(c.revokedAccepted),
    String(c.serverErrors),
    String(c.badUnavailable),
    String(c.hangs),
    String(c.other),
    count(checked(result.breakdown, 'forked') ? c.forked : undefined),
    count(checked(result.breakdown, 'revokedByMistake') ? c.revokedByMistake : undefined),
    String(result.unavailable),
    seconds(result.readyAfterS),
    seconds(result.caughtUpAfterS),
    count(result.rotation?.families),
    count(result.rotation?.rotations),
    count(result.rotation?.siblingRotations),
  ];
}

/**
 * The chaos run as one Markdown table (readable in a terminal, pasteable into the README): one row
 * per scenario and a total row (sums; the worst recovery times).
 */
export function resultsTable(results: readonly ScenarioResult[]): string {
  const rows = [...results.map(cells), cells(totalOf(results)).map((v, i) => (i === 0 ? '**total**' : v))];
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}
