import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { oauthCodeForStatus } from './oauth-error';

// What Node itself would answer (its default `clientError` behaviour), with a description of our own.
const REFUSALS: Record<string, [status: number, description: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large.'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'The request body is too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive.'],
};

/**
 * Answers what Node's HTTP parser refuses before any route runs (a head over `--max-http-header-size`, a
 * malformed request line) with `{error, error_description}` and `headers`, like every other refusal, instead
 * of Node's bare status line. The connection is closed afterwards: the parser cannot resynchronise on it.
 */
export function answerClientErrors(server: Server, headers: Readonly<Record<string, string>> = {}): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, description] = REFUSALS[error.code ?? ''] ?? [400, 'The request is malformed.'];
    const body = JSON.stringify({ error: oauthCodeForStatus(status), error_description: description });
    const head = {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      Connection: 'close',
    };
    const lines = Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`);
  });
}
