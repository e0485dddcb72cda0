import http from 'node:http';
import { post, type LoadRequest } from './load';

/** One answered (or failed) request of an open-loop run. */
export interface OpenLoopSample {
  /** When it was due, ms from the run's start. */
  scheduledMs: number;
  /** From the scheduled send time to the last body byte: waiting to be sent counts (no coordinated omission). */
  latencyMs: number;
  /** HTTP status; 0 for a transport error. */
  status: number;
  retryAfter?: string;
}

export interface OpenLoopOptions {
  url: string;
  /** Arrivals per second, fixed whatever the server answers. */
  rate: number;
  durationMs: number;
  next: (index: number) => LoadRequest;
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
  const pending: Promise<void>[] = [];
  const total = Math.floor((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  const start = performance.now();
  let sent = 0;

  const send = (index: number) => {
    const scheduledMs = index * interval;
    return post(agent, url, options.next(index)).then(
      ({ status, headers }) => {
        samples.push({
          scheduledMs,
          latencyMs: performance.now() - start - scheduledMs,
          status,
          retryAfter: headers['retry-after'] as string | undefined,
        });
      },
      () => {
        samples.push({ scheduledMs, latencyMs: performance.now() - start - scheduledMs, status: 0 });
      },
    );
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
