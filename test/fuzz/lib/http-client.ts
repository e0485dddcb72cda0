import { Agent, request } from 'node:http';
import type { FuzzRequest } from './request-arbitrary';

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  elapsedMs: number;
}

/** The request got no answer: the connection failed, was cut, or the time ran out. */
export class NoResponse extends Error {
  constructor(
    message: string,
    readonly elapsedMs: number,
  ) {
    super(message);
  }
}

/**
 * Sends fuzz requests over keep-alive connections, at most `maxSockets` at once. `http.request` writes
 * the target and headers as given (no normalisation), which is what a fuzzer needs.
 */
export class FuzzClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: URL,
    maxSockets: number,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(fuzz: FuzzRequest): Promise<FuzzResponse> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.baseUrl.hostname,
          port: this.baseUrl.port,
          method: fuzz.method,
          path: fuzz.target,
          headers: { ...fuzz.headers, ...framing(fuzz) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              elapsedMs: performance.now() - started,
            }),
          );
          res.on('error', (error) => reject(new NoResponse(error.message, performance.now() - started)));
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) => reject(new NoResponse(error.message, performance.now() - started)));
      if (fuzz.body && fuzz.chunked) {
        req.write(fuzz.body);
        req.end();
      } else {
        req.end(fuzz.body);
      }
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// Node frames a body by itself only for methods that usually carry one: a GET body without a declared
// length would be read by the server as the next request.
function framing(fuzz: FuzzRequest): Record<string, string> {
  if (!fuzz.body) return {};
  return fuzz.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(fuzz.body.length) };
}
