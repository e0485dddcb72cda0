import { Writable } from 'node:stream';
import {
  formatBar,
  formatCount,
  formatDuration,
  formatProgressBar,
  formatProgressLine,
  Progress,
  rateAndEta,
} from './progress';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

describe('progress formatting', () => {
  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1_000)).toBe('1,000');
    expect(formatCount(1_234_567.4)).toBe('1,234,567');
  });

  it('writes durations compactly, "?" when unknown', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(187)).toBe('3m07s');
    expect(formatDuration(7_500)).toBe('2h05m');
    expect(formatDuration(Infinity)).toBe('?');
  });

  it('derives the rate and the time left from the elapsed time', () => {
    expect(rateAndEta({ done: 500, total: 1_500, elapsedMs: 10_000 })).toEqual({ rate: 50, etaSeconds: 20 });
    expect(rateAndEta({ done: 0, total: 10, elapsedMs: 0 })).toEqual({ rate: 0, etaSeconds: Infinity });
    expect(rateAndEta({ done: 10, total: 10, elapsedMs: 0 }).etaSeconds).toBe(0);
  });

  it('fills the bar in proportion, a zero total counting as complete', () => {
    expect(formatBar(0, 100, 10)).toBe('[░░░░░░░░░░]');
    expect(formatBar(50, 100, 10)).toBe('[█████░░░░░]');
    expect(formatBar(150, 100, 10)).toBe('[██████████]');
    expect(formatBar(0, 0, 4)).toBe('[████]');
  });

  it('puts done/total, rate and ETA on the bar and on the plain line', () => {
    const state = { done: 250_000, total: 1_000_000, elapsedMs: 5_000 };
    expect(formatProgressBar('replay', 'events', state)).toBe(
      'replay  [██████░░░░░░░░░░░░░░░░░░]   25%  250,000/1,000,000 events  50,000 events/s  ETA 15s',
    );
    expect(formatProgressLine('replay', 'events', state)).toBe(
      'replay: 250,000/1,000,000 events (25%), 50,000 events/s, ETA 15s, elapsed 5s',
    );
  });
});

describe('Progress', () => {
  it('writes plain lines every 2 s at most when not on a terminal, and a final one', () => {
    let now = 0;
    const err = new Capture(false);
    const progress = new Progress(err, { label: 'replay', unit: 'events', total: 100, now: () => now });
    for (const [at, done] of [
      [10, 10],
      [1_000, 20],
      [2_100, 40],
      [3_000, 60],
      [4_200, 80],
    ]) {
      now = at;
      progress.update(done);
    }
    now = 5_000;
    progress.update(100);
    progress.finish();
    progress.finish();
    expect(err.text).not.toContain('\r');
    expect(err.text.trimEnd().split('\n')).toEqual([
      'replay: 40/100 events (40%), 19 events/s, ETA 3s, elapsed 2s',
      'replay: 80/100 events (80%), 19 events/s, ETA 1s, elapsed 4s',
      'replay: 100/100 events (100%), 20 events/s, ETA 0s, elapsed 5s',
    ]);
  });

  it('does not repeat the last line on finish, and prints one line for a quick run', () => {
    let now = 0;
    const err = new Capture(false);
    const progress = new Progress(err, { label: 'republish', unit: 'events', total: 8, now: () => now });
    now = 2_000;
    progress.update(8);
    progress.finish();
    const quick = new Progress(err, { label: 'quick', unit: 'events', total: 3, now: () => now });
    quick.update(3);
    quick.finish();
    expect(err.text.trimEnd().split('\n')).toEqual([
      'republish: 8/8 events (100%), 4 events/s, ETA 0s, elapsed 2s',
      'quick: 3/3 events (100%), 0 events/s, ETA 0s, elapsed 0s',
    ]);
  });

  it('redraws one line in place on a terminal and ends it on finish', () => {
    let now = 0;
    const err = new Capture(true);
    const progress = new Progress(err, { label: 'replay', unit: 'events', total: 10, now: () => now });
    now = 200;
    progress.update(5);
    now = 250;
    progress.update(6); // within 100 ms of the last draw: skipped
    now = 400;
    progress.update(10);
    progress.finish();
    const draws = err.text.split('\r\x1b[2K').filter(Boolean);
    expect(draws).toHaveLength(3);
    expect(draws[0]).toContain('5/10 events');
    expect(draws[2]).toMatch(/100% {2}10\/10 events .*\n$/);
    expect(err.text.match(/\n/g)).toHaveLength(1);
  });
});
