/** One log record; written as one JSON line. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

/** Where log records go. */
export type Log = (line: LogLine) => void;

/** Writes each record as one JSON line on stdout, with a timestamp: no logging library needed. */
export const jsonLines: Log = (line) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
};
