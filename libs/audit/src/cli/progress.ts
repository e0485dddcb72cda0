import type { Writable } from 'node:stream';

/** Where a long-running command stands: `done` of `total` units after `elapsedMs`. */
export interface ProgressState {
  done: number;
  total: number;
  elapsedMs: number;
}

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 100;
const PLAIN_LINE_MS = 2_000;

/** 1234567 → "1,234,567" (fixed locale: output is read by people and grepped by scripts alike). */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Seconds as "42s", "3m07s", "2h05m"; "?" when unknown (no rate yet). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Units per second so far, and the time left at that rate (Infinity before the first unit). */
export function rateAndEta({ done, total, elapsedMs }: ProgressState): { rate: number; etaSeconds: number } {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const left = Math.max(0, total - done);
  return { rate, etaSeconds: left === 0 ? 0 : rate > 0 ? left / rate : Infinity };
}

/** `[██████░░░░]` for the fraction done; a zero total counts as complete. */
export function formatBar(done: number, total: number, width = BAR_WIDTH): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

const percent = (done: number, total: number) =>
  `${Math.floor(total > 0 ? Math.min(100, (done * 100) / total) : 100)}%`;

/** The one-line bar a TTY shows, redrawn in place: label, bar, %, done/total, rate, ETA. */
export function formatProgressBar(label: string, unit: string, state: ProgressState): string {
  const { rate, etaSeconds } = rateAndEta(state);
  return [
    label,
    formatBar(state.done, state.total),
    percent(state.done, state.total).padStart(4),
    `${formatCount(state.done)}/${formatCount(state.total)} ${unit}`,
    `${formatCount(rate)} ${unit}/s`,
    `ETA ${formatDuration(etaSeconds)}`,
  ].join('  ');
}

/** The plain line written every few seconds when the output is a file or a pipe (CI logs, `| tee`). */
export function formatProgressLine(label: string, unit: string, state: ProgressState): string {
  const { rate, etaSeconds } = rateAndEta(state);
  return (
    `${label}: ${formatCount(state.done)}/${formatCount(state.total)} ${unit} ` +
    `(${percent(state.done, state.total)}), ${formatCount(rate)} ${unit}/s, ` +
    `ETA ${formatDuration(etaSeconds)}, elapsed ${formatDuration(state.elapsedMs / 1000)}`
  );
}

export interface ProgressOptions {
  label: string;
  /** What is counted, plural ("events"). */
  unit: string;
  total: number;
  /** Milliseconds since some origin; injectable for tests. */
  now?: () => number;
}

/**
 * Shows a command's progress on `stream` (stderr, so stdout stays pipeable): on a terminal one bar
 * redrawn in place at most every 100 ms; elsewhere one plain line every 2 s, since carriage returns
 * make a mess of log files.
 */
export class Progress {
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private lastDrawn: number;
  private drawnDone = -1;
  private done = 0;
  private finished = false;

  constructor(
    private readonly stream: Writable & { isTTY?: boolean; columns?: number },
    private readonly options: ProgressOptions,
  ) {
    this.tty = stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    // Nothing before the first interval: a rate over a few milliseconds means nothing.
    this.lastDrawn = this.started;
  }

  /** Records that `done` units are complete; draws when the interval for this kind of output passed. */
  update(done: number): void {
    this.done = done;
    const at = this.now();
    if (at - this.lastDrawn < (this.tty ? TTY_REDRAW_MS : PLAIN_LINE_MS)) return;
    this.lastDrawn = at;
    this.draw(at);
  }

  /** Draws the final state once (unless that very line was just written) and ends the bar's line. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.tty || this.drawnDone !== this.done) this.draw(this.now());
    if (this.tty) this.stream.write('\n');
  }

  private draw(at: number): void {
    this.drawnDone = this.done;
    const state = { done: this.done, total: this.options.total, elapsedMs: at - this.started };
    if (!this.tty) {
      this.stream.write(`${formatProgressLine(this.options.label, this.options.unit, state)}\n`);
      return;
    }
    const line = formatProgressBar(this.options.label, this.options.unit, state);
    const width = this.stream.columns ?? 0;
    // \r + "erase line": redraw in place; cut to the terminal's width so the line never wraps.
    this.stream.write(`\r\x1b[2K${width > 0 ? line.slice(0, width - 1) : line}`);
  }
}
