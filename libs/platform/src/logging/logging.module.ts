import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '@libs/config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is a sane token, a fresh UUID otherwise.
 * Echoed on the response and carried as the correlation id of every event the request causes.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Paths that must never reach a log line: credentials in headers and bodies. pino-http logs no body by
 * default; these also cover anything a handler logs.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // Redirects from /authorize carry the authorization code.
  'res.headers.location',
  '*.password',
  '*.client_secret',
  '*.refresh_token',
  '*.code',
  '*.code_verifier',
  '*.id_token',
  '*.access_token',
  '*.token',
];

/**
 * Standard output, written asynchronously: lines that arrive while a write is in flight go out together
 * in the next one, so the per-request line costs no write syscall of its own under load (a synchronous
 * destination made every request pay one). Whatever is still buffered is written synchronously when the
 * process exits (`process.exit`, or a crash: an uncaught exception ends in 'exit'), and a graceful shutdown
 * waits for it (`flushLogs`: Nest ends it by re-raising the signal, which skips 'exit'), so the last lines
 * are kept; only a SIGKILL can lose the few lines of the write in flight.
 */
let stdout: pino.DestinationStream | undefined;
function logDestination(): pino.DestinationStream {
  if (stdout) return stdout; // one per process, however many apps it builds (tests build many)
  const destination = (stdout = pino.destination({ dest: 1, sync: false }));
  process.once('exit', () => writeBuffered(destination));
  return destination;
}

function writeBuffered(destination: pino.DestinationStream & { flushSync(): void }): void {
  try {
    destination.flushSync();
  } catch {
    // stdout is gone (a closed pipe): nothing left to write to.
  }
}

/** Resolves once every log line written so far has reached standard output. */
export async function flushLogs(): Promise<void> {
  // sonic-boom's flush(cb) answers at once without a minimum length, and flushSync beside a write in
  // flight could reorder lines: wait (at most a second) for that write, then write the rest in one go.
  const destination = stdout as
    | (pino.DestinationStream & { _writing?: boolean; flushSync(): void })
    | undefined;
  if (!destination) return;
  for (let waited = 0; destination._writing && waited < 1_000; waited += 2) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  writeBuffered(destination);
}

/** Structured JSON logs (pino), one line per request with its id, status and duration. */
@Module({})
export class LoggingModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: [
              {
                level: config.logLevel,
                base: { service },
                genReqId: requestId,
                redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
                customProps: (req: IncomingMessage) => ({
                  correlationId: (req as IncomingMessage & { id?: string }).id,
                }),
                autoLogging: { ignore: (req: IncomingMessage) => req.url?.startsWith('/health') ?? false },
                serializers: {
                  req: (req: { id: string; method: string; url: string }) => ({
                    id: req.id,
                    method: req.method,
                    url: req.url?.split('?')[0],
                  }),
                  // The status only: copying and stringifying every response header cost each request
                  // more than the rest of its line, and kept cookies and redirect codes one redaction
                  // path away from the log.
                  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
                },
              },
              logDestination(),
            ],
          }),
        }),
      ],
    };
  }
}
