import type { TrailEntry } from './trail-entry';

export const TRAIL_FORMATS = ['table', 'json', 'csv'] as const;
export type TrailFormat = (typeof TRAIL_FORMATS)[number];

/** Turns a trail into text as its pages arrive, so a long trail is never held whole. */
export interface TrailWriter {
  /** The text for the next page of entries (the header comes with the first page). */
  page(entries: readonly TrailEntry[]): string;
  /** The text that closes the output (the header too, when there were no entries). */
  end(): string;
}

export function trailWriter(format: TrailFormat): TrailWriter {
  switch (format) {
    case 'table':
      return new TableWriter();
    case 'json':
      return new JsonArrayWriter();
    case 'csv':
      return new CsvWriter();
    default: {
      const _exhaustive: never = format;
      return _exhaustive;
    }
  }
}

/** `key=value` pairs; a value with spaces, quotes or `=` is JSON-quoted so the pairs stay parseable. */
export function detailsText(details: Record<string, string>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}=${value === '' || /[\s"=]/.test(value) ? JSON.stringify(value) : value}`)
    .join(' ');
}

const code = (entry: TrailEntry) =>
  entry.related_log_code ? `${entry.log_code}+${entry.related_log_code}` : entry.log_code;

// Device names and user ids come from clients: never let them drive the auditor's terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const printable = (value: string | null) =>
  value === null ? '-' : value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const TABLE_COLUMNS: [string, (entry: TrailEntry) => string | null][] = [
  ['TIME', (e) => e.time],
  ['CODE', code],
  ['EVENT', (e) => e.event],
  ['CREDENTIAL', (e) => e.credential_id],
  ['USER', (e) => e.user_id],
  ['CLIENT', (e) => e.client_id],
  ['DEVICE', (e) => e.device_name],
  ['ACTOR', (e) => e.actor],
  // The request's X-Request-Id: joins the entry to the api's logs and traces.
  ['CORRELATION', (e) => e.correlation_id],
  ['DETAILS', (e) => detailsText(e.details)],
];

/**
 * Aligned columns for a terminal. Widths are set by the header and the first page; a longer value in
 * a later page widens only its own line (the output is streamed, not held).
 */
class TableWriter implements TrailWriter {
  private widths?: number[];

  page(entries: readonly TrailEntry[]): string {
    const rows = entries.map((entry) => TABLE_COLUMNS.map(([, value]) => printable(value(entry))));
    let header = '';
    if (!this.widths) {
      const headings = TABLE_COLUMNS.map(([heading]) => heading);
      this.widths = headings.map((heading, i) =>
        Math.max(heading.length, ...rows.map((row) => row[i].length)),
      );
      header = this.line(headings);
    }
    return header + rows.map((row) => this.line(row)).join('');
  }

  end(): string {
    return this.widths ? '' : this.page([]);
  }

  private line(cells: string[]): string {
    const last = cells.length - 1;
    return `${cells.map((cell, i) => (i === last ? cell : cell.padEnd(this.widths![i]))).join('  ')}\n`;
  }
}

/** One JSON array, one entry per line, written as the pages arrive. */
class JsonArrayWriter implements TrailWriter {
  private started = false;

  page(entries: readonly TrailEntry[]): string {
    if (entries.length === 0) return '';
    const items = entries.map((entry) => JSON.stringify(entry)).join(',\n');
    const text = `${this.started ? ',\n' : '[\n'}${items}`;
    this.started = true;
    return text;
  }

  end(): string {
    return this.started ? '\n]\n' : '[]\n';
  }
}

const CSV_COLUMNS: [string, (entry: TrailEntry) => string | null][] = [
  ['time', (e) => e.time],
  ['log_code', (e) => e.log_code],
  ['related_log_code', (e) => e.related_log_code],
  ['event', (e) => e.event],
  ['credential_id', (e) => e.credential_id],
  ['user_id', (e) => e.user_id],
  ['client_id', (e) => e.client_id],
  ['device_name', (e) => e.device_name],
  ['actor', (e) => e.actor],
  ['details', (e) => detailsText(e.details)],
  ['event_id', (e) => e.event_id],
  ['correlation_id', (e) => e.correlation_id],
  ['source', (e) => e.source],
  ['position', (e) => e.position],
];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. A
 * value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`
 * (OWASP "CSV injection"): device names and ids are chosen by clients, and auditors open CSV files.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A header row, then one row per entry (CRLF line ends, as RFC 4180 writes them). */
class CsvWriter implements TrailWriter {
  private headed = false;

  page(entries: readonly TrailEntry[]): string {
    const header = this.headed ? '' : this.row(CSV_COLUMNS.map(([name]) => name));
    this.headed = true;
    return header + entries.map((entry) => this.row(CSV_COLUMNS.map(([, value]) => value(entry)))).join('');
  }

  end(): string {
    return this.headed ? '' : this.page([]);
  }

  private row(values: (string | null)[]): string {
    return `${values.map(csvField).join(',')}\r\n`;
  }
}
