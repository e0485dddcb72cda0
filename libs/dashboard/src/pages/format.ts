const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A time as administrators compare it across time zones: UTC, to the minute.
 *
 * @example
 * formatUtc(new Date('2026-11-25T22:03:41Z')); // '2026-11-25 22:03 UTC'
 */
export function formatUtc(time: Date): string {
  return (
    `${time.getUTCFullYear()}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())} ` +
    `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())} UTC`
  );
}

/** `formatUtc`, or `never` for a time that has not happened (a token never exchanged). */
export function formatUtcOrNever(time: Date | null): string {
  return time ? formatUtc(time) : 'never';
}

/**
 * A count with its noun, singular for one.
 *
 * @example
 * counted(2, 'refresh token'); // '2 refresh tokens'
 */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
