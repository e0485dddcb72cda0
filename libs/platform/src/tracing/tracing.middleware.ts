import { Injectable, type NestMiddleware } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextWith, endSpan, SpanKind, tracer } from './spans';

type TracedRequest = IncomingMessage & { id?: string; route?: { path?: string }; baseUrl?: string };

/**
 * One server span per HTTP request, a child of the caller's `traceparent` when it sends one, active for
 * the rest of the request so the append and everything after it join the trace. Applied as module
 * middleware: it runs after the body parsers, whose stream callbacks would lose the active context.
 * Records the path without its query (tokens may travel there) and the correlation id.
 */
@Injectable()
export class TracingMiddleware implements NestMiddleware {
  use(req: TracedRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer().startSpan(
      `HTTP ${req.method}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method ?? '',
          'url.path': (req.url ?? '').split('?')[0],
          ...(req.id ? { correlation_id: String(req.id) } : {}),
        },
      },
      parent,
    );
    res.once('close', () => {
      const route = req.route?.path;
      if (route) {
        span.setAttribute('http.route', `${req.baseUrl ?? ''}${route}`);
        span.updateName(`HTTP ${req.method} ${req.baseUrl ?? ''}${route}`);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      endSpan(span, res.statusCode >= 500 ? `status ${res.statusCode}` : undefined);
    });
    context.with(contextWith(span, parent), () => next());
  }
}
