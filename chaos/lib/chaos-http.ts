import http from 'node:http';
import type { Outcome } from './response-outcome';

export interface Answer {
  outcome: Outcome;
  /** The parsed JSON body of a response (undefined for a timeout, a connection error, or no JSON). */
  body?: Record<string, unknown>;
}

/**
 * The chaos traffic's HTTP client: `node:http` with a keep-alive agent, every request bounded by a
 * timeout (no answer in time is a hang, reported as such, never waited out).
 */
export class ChaosHttp {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    maxSockets: number,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const first = await this.once(method, path, body, headers);
    // A keep-alive socket the server closed while idle fails on reuse before the request is read
    // (Node's documented race): that is not an answer from the service, so send it once more.
    if (first.staleSocket) return this.once(method, path, body, headers);
    return first;
  }

  /** Sends a form (`application/x-www-form-urlencoded`), as OAuth clients do. */
  form(path: string, fields: Record<string, string>) {
    return this.request('POST', path, new URLSearchParams(fields), {});
  }

  close(): void {
    this.agent.destroy();
  }

  private once(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<Answer & { staleSocket?: boolean }> {
    const payload =
      body === undefined
        ? undefined
        : body instanceof URLSearchParams
          ? body.toString()
          : JSON.stringify(body);
    const contentType =
      body instanceof URLSearchParams ? 'application/x-www-form-urlencoded' : 'application/json';
    return new Promise((resolve) => {
      let settled = false;
      const settle = (answer: Answer & { staleSocket?: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const req = http.request(
        {
          agent: this.agent,
          hostname: this.url.hostname,
          port: this.url.port,
          path,
          method,
          headers: {
            ...headers,
            ...(payload === undefined
              ? {}
              : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', () => settle({ outcome: { kind: 'connection-error', code: 'ERESPONSE' } }));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: Record<string, unknown> | undefined;
            try {
              parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
            } catch {
              parsed = undefined;
            }
            const retryAfter = res.headers['retry-after'];
            settle({
              outcome: {
                kind: 'response',
                status: res.statusCode ?? 0,
                retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
                error: typeof parsed?.error === 'string' ? parsed.error : undefined,
              },
              body: parsed,
            });
          });
        },
      );
      const timer = setTimeout(() => {
        settle({ outcome: { kind: 'timeout' } });
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? 'ERROR';
        settle({
          outcome: { kind: 'connection-error', code },
          staleSocket: req.reusedSocket && code === 'ECONNRESET',
        });
      });
      req.end(payload);
    });
  }
}
