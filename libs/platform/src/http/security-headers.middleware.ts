import type { IncomingMessage, ServerResponse } from 'node:http';
import { OPENAPI_UI_PATH } from '../openapi/openapi-document';

/** One year: the max-age HSTS preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * The headers every response starts with, before any route runs, so that JSON, errors, 404s, redirects and
 * body-parser refusals carry them too (OWASP REST Security and HTTP Headers cheat sheets). Routes override
 * what they need: HTML pages set their own Content-Security-Policy, discovery and JWKS a public
 * Cache-Control, the dashboard a same-origin Referrer-Policy.
 *
 * - `Content-Security-Policy: default-src 'none'`: a JSON body opened as a document runs and loads nothing;
 *   `frame-ancestors 'none'` and `X-Frame-Options: DENY` (older browsers): nothing can be framed.
 * - `Cache-Control: no-store`: tokens, users and secrets are never kept by a shared cache (RFC 6749 §5.1).
 * - `Strict-Transport-Security` only when the public URL is https: over plain http (development) a
 *   browser ignores it, and sending it would advertise a promise the deployment does not keep.
 */
export function securityHeaders(publicUrl: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy':
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
  if (new URL(publicUrl).protocol === 'https:') {
    headers['Strict-Transport-Security'] = `max-age=${HSTS_MAX_AGE_SECONDS}`;
  }
  return headers;
}

/**
 * Swagger UI (served by `@nestjs/swagger`, which sets no policy of its own) loads its script, styles and
 * icons from its own path and styles elements inline; it still may not be framed nor post anywhere.
 */
const DOCUMENTATION_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Middleware (Express or bare node:http) that sets `securityHeaders(publicUrl)` on every response; `boot()`
 * installs it first, so every app gets it.
 *
 * @example
 * app.use(securityHeadersMiddleware(config.publicUrl));
 */
export function securityHeadersMiddleware(
  publicUrl: string,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const headers = Object.entries(securityHeaders(publicUrl));
  return (req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    const path = req.url?.split('?')[0] ?? '';
    if (path === OPENAPI_UI_PATH || path.startsWith(`${OPENAPI_UI_PATH}/`)) {
      res.setHeader('Content-Security-Policy', DOCUMENTATION_POLICY);
    }
    next();
  };
}
