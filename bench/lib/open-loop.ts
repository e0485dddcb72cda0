import http from 'node:http';
import { loadResult, post, type LoadRequest, type LoadResult } from './load';

/** One answered (or failed) request of an open-loop run. */
export interface OpenLoopSample {
  /** When it was due, ms from the run's start. */
  scheduledMs: number;
  /** From the scheduled send time to the last body byte: waiting to be sent counts (no coordinated omission). */
  latencyMs: number;
  /** HTTP status; 0 for a transport error. */
  status: number;
  retryAfter?: string;
  /** For a non-200: the start of the body, or the transport error. */
  detail?: string;
}

export interface OpenLoopOptions {
  url: string;
  /** Arrivals per second, fixed whatever the server answers. */
  rate: number;
  durationMs: number;
  /**
   * The request for arrival `index`; `busy` holds the keys of the requests in flight, so one that must
   * not run twice at once (a token) can be skipped.
   */
  next: (index: number, busy: ReadonlySet<string>) => LoadRequest & { key?: string };
  /** Sockets at most (a real crowd has as many as it needs; this only bounds the generator). */
  maxSockets?: number;
}

/**
 * An open-loop load generator: requests arrive at a fixed rate whether or not earlier ones have been
 * answered (a crowd of devices, not N polite clients), and latency is measured from the moment each was
 * due. A closed loop hides overload (slow answers slow the clients down); this does not.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopSample[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 1_024 });
  const url = new URL(options.url);
  const samples: OpenLoopSample[] = [];
  const busy = new Set<string>();
  const pending: Promise<void>[] = [];
  const total = Math.floor((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  const start = performance.now();
  let sent = 0;

  const send = (index: number) => {
    const scheduledMs = index * interval;
    const request = options.next(index, busy);
    if (request.key !== undefined) busy.add(request.key);
    const record = (answer: Pick<OpenLoopSample, 'status' | 'retryAfter' | 'detail'>): void => {
      samples.push({ scheduledMs, latencyMs: performance.now() - start - scheduledMs, ...answer });
    };
    return post(agent, url, request)
      .then(
        ({ status, headers, body }) =>
          record({
            status,
            retryAfter: headers['retry-after'] as string | undefined,
            ...(status === 200 ? {} : { detail: body.slice(0, 200) }),
          }),
        (error: unknown) => record({ status: 0, detail: `transport error: ${String(error)}` }),
      )
      .finally(() => {
        if (request.key !== undefined) busy.delete(request.key);
      });
  };

  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; sent < due; sent++) pending.push(send(sent));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  agent.destroy();
  return samples.sort((a, b) => a.scheduledMs - b.scheduledMs);
}

/**
 * An open-loop run as a `LoadResult`: latencies of the arrivals scheduled in the measured window (after
 * `warmupMs`, for `durationMs`), statuses of every answer.
 */
export function openLoopResult(
  samples: readonly OpenLoopSample[],
  warmupMs: number,
  durationMs: number,
): LoadResult {
  const statuses: Record<number, number> = {};
  const failures: string[] = [];
  let errors = 0;
  for (const s of samples) {
    if (s.status === 0) errors++;
    else statuses[s.status] = (statuses[s.status] ?? 0) + 1;
    if (s.detail && failures.length < 5) failures.push(s.status ? `${s.status} ${s.detail}` : s.detail);
  }
  const measured = samples.filter((s) => s.scheduledMs >= warmupMs && s.scheduledMs < warmupMs + durationMs);
  return loadResult(
    measured.map((s) => s.latencyMs),
    durationMs,
    { statuses, failures, errors },
  );
}
