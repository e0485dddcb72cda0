import { readFileSync } from 'node:fs';
import type { FuzzResponse } from './http-client';
import type { FuzzRequest } from './request-arbitrary';

/** What fuzzing one operation produced. */
export interface OperationResult {
  key: string;
  requests: number;
  statuses: Record<string, number>;
  /** The property's failure (shrunk counterexample and what was wrong), if any. */
  failure?: string;
  /** The api process was alive and `/health` answered 200 after the run. */
  healthy: boolean;
  ms: number;
}

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;

/** A request, short enough for a failure message. */
export function describeRequest(request: FuzzRequest): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${clip(value, 60)}`)
    .join(' | ');
  const body = request.body
    ? `${request.body.length} bytes${request.chunked ? ' chunked' : ''}: ${clip(request.body.toString('utf8'), 200)}`
    : 'none';
  return `${request.method} ${clip(request.target, 200)} [${headers}] body ${body}`;
}

/** A response, short enough for a failure message. */
export function describeResponse(response: FuzzResponse): string {
  return `${response.status} ${String(response.headers['content-type'] ?? '')} ${clip(response.body.toString('utf8'), 300)}`;
}

/** fast-check's failure report with the (possibly megabyte-long) counterexample cut down. */
export function shortFailure(message: string): string {
  return message
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('Hint:') && !line.startsWith('{ seed'))
    .map((line) => (line.startsWith('Counterexample:') ? clip(line, 200) : clip(line, 1_500)))
    .join('\n');
}

/** Resident and peak memory of a process, in MiB (Linux `/proc/<pid>/status`). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}

/** Limits how many promises run at once. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiting one.
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
