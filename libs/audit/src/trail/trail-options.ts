import { parseArgs } from 'node:util';
import { UsageError } from '../cli/audit-command';
import { TRAIL_FORMATS, type TrailFormat } from './trail-format';

export const TRAIL_FILTERS = ['credential', 'user', 'client', 'device'] as const;

/** Whose history: one credential, or every credential of a user, a client or a device name. */
export interface TrailFilter {
  by: (typeof TRAIL_FILTERS)[number];
  value: string;
}

export interface TrailOptions {
  filter: TrailFilter;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
  format: TrailFormat;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time; without an offset it is read as UTC, never as the machine's zone. */
export function parseInstant(option: string, value: string): Date {
  const match = ISO_8601.exec(value);
  const zoned = match && value.includes('T') && !match[1] ? `${value}Z` : value;
  const instant = match ? new Date(zoned) : new Date(NaN);
  if (Number.isNaN(instant.getTime())) {
    throw new UsageError(
      `--${option} must be an ISO 8601 date or date-time (e.g. 2026-11-26T08:00:00Z): ${value}`,
    );
  }
  return instant;
}

/** Reads `trail`'s command line; a usage error names what is wrong. */
export function parseTrailArgs(args: string[]): TrailOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        credential: { type: 'string' },
        user: { type: 'string' },
        client: { type: 'string' },
        device: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        format: { type: 'string', default: 'table' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const given = TRAIL_FILTERS.filter((by) => values[by] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? 'give one of --credential, --user, --client or --device'
        : `give only one of --credential, --user, --client or --device (got ${given.map((g) => `--${g}`).join(', ')})`,
    );
  }
  const by = given[0];
  const value = values[by]!;
  if (value.trim() === '') throw new UsageError(`--${by} needs a value`);
  const format = values.format as TrailFormat;
  if (!TRAIL_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${TRAIL_FORMATS.join(', ')}: ${values.format}`);
  }
  const since = values.since === undefined ? undefined : parseInstant('since', values.since);
  const until = values.until === undefined ? undefined : parseInstant('until', values.until);
  if (since && until && since >= until) throw new UsageError('--since must be before --until');
  return { filter: { by, value }, since, until, format };
}
