import http from 'node:http';

/** One request the load generator sends: a JSON body POSTed to `path`. */
export interface LoadRequest {
  path: string;
  body: string;
  /** `application/json` unless said otherwise (the peer's token endpoint takes a form). */
  contentType?: string;
}

export interface LoadOptions {
  /** Base URL of the server under test, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Concurrent in-flight requests (each worker is an async loop: send, await, send again). */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** The next request of `worker`; called once per request, so it can pick a fresh random token. */
  next: (worker: number) => LoadRequest;
  /**
   * After a 503 with `Retry-After`, the worker waits that long (at most 1 s) before its next request,
   * as the SDKs do; without it, shed clients retry at once and measure a retry storm, not saturation.
   */
  honourRetryAfter?: boolean;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Requests completed inside the measured window (after the warm-up). */
  measured: number;
  /** Requests/second over the measured window. */
  throughput: number;
  /** Latencies of the measured window, in milliseconds. */
  latency: LatencySummary;
  /** Every response by status code, warm-up included (the service records an event for each 200). */
  statuses: Record<number, number>;
  /** The first few non-200 answers (status and body), to say why the run broke. */
  failures: string[];
  /** Transport errors (refused, reset): a broken run. */
  errors: number;
}

/**
 * A closed-loop load generator on `node:http` with a keep-alive agent: `concurrency` workers each keep
 * one request in flight on its own socket, so the number of concurrent clients is exact and no
 * connection set-up is measured. Latency is wall time from `request()` to the last body byte (hrtime).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const url = new URL(options.url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const failures: string[] = [];
  let errors = 0;

  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;

  const worker = async (id: number) => {
    while (performance.now() < stopAt) {
      const request = options.next(id);
      const sentAt = process.hrtime.bigint();
      try {
        const { status, body, headers } = await post(agent, url, request);
        const doneAt = performance.now();
        const ms = Number(process.hrtime.bigint() - sentAt) / 1e6;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 200 && failures.length < 5) failures.push(`${status} ${body.slice(0, 200)}`);
        // Only requests that complete inside the window count, so throughput is count / window exactly.
        if (doneAt >= measureFrom && doneAt <= stopAt) latencies.push(ms);
        const retryAfter = Number(headers['retry-after']);
        if (options.honourRetryAfter && status === 503 && retryAfter > 0) {
          await new Promise((r) => setTimeout(r, Math.min(1_000, retryAfter * 1000)));
        }
      } catch (error) {
        errors++;
        if (failures.length < 5) failures.push(`transport error: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, id) => worker(id)));
  agent.destroy();

  return loadResult(latencies, options.durationMs, { statuses, failures, errors });
}

/** POSTs one request's JSON body; resolves with the status, headers and body once the body is read. */
export function post(
  agent: http.Agent,
  url: URL,
  request: LoadRequest,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: request.path,
        method: 'POST',
        headers: {
          'content-type': request.contentType ?? 'application/json',
          'content-length': Buffer.byteLength(request.body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** A run's figures from its measured latencies and every answer. */
export function loadResult(
  latencies: number[],
  durationMs: number,
  answers: Pick<LoadResult, 'statuses' | 'failures' | 'errors'>,
): LoadResult {
  return {
    measured: latencies.length,
    throughput: latencies.length / (durationMs / 1000),
    latency: summarize(latencies),
    ...answers,
  };
}

/** Nearest-rank percentiles (no interpolation: every figure is a latency that was observed). */
export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}
