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
 * process exits — a shutdown, `process.exit`, or a crash (an uncaught exception ends in 'exit') — so the
 * last lines are kept; only a SIGKILL can lose the few lines of the write in flight.
 */
let stdout: pino.DestinationStream | undefined;
function logDestination(): pino.DestinationStream {
  if (stdout) return stdout; // one per process, however many apps it builds (tests build many)
  const destination = (stdout = pino.destination({ dest: 1, sync: false }));
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout is gone (a closed pipe): nothing left to write to.
    }
  });
  return destination;
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
