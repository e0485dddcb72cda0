import { basicCredentials } from '../basic-credentials';

/**
 * Which routes answer cross-origin calls from browsers, and how (W3C/WHATWG Fetch, CORS protocol):
 *
 * - `public`: discovery and JWKS (`/.well-known/*`) hold nothing secret, so any page may read them
 *   (`Access-Control-Allow-Origin: *`, as OpenID Connect Discovery expects).
 * - `client`: the Authentication API a browser SDK calls for a client (auth0.js `refreshToken`,
 *   `delegation`, the token endpoint...). Only origins the tenant's clients list (Auth0's `allowed_origins`
 *   and `web_origins`) get the `Origin` echoed back, never `*`, and never `Access-Control-Allow-Credentials`:
 *   these endpoints read no cookie, so no ambient credential is ever shared with a page.
 */
export type CorsRouteKind = 'public' | 'client';

/** The client routes, as Nest route paths. `/tokeninfo` is the legacy profile endpoint. */
export const CLIENT_CORS_PATHS = ['delegation', 'oauth/token', 'oauth/revoke', 'userinfo', 'tokeninfo'];
/** The public routes, as a Nest route path. */
export const PUBLIC_CORS_PATH = '.well-known/{*rest}';

/**
 * How long a browser may reuse a preflight answer: two hours, Chromium's ceiling. A preflight only
 * says "some client lists this origin"; the request that follows is checked against its own client.
 */
export const CORS_MAX_AGE_SECONDS = 7_200;
// Auth0-Client is the telemetry header auth0.js v8+ and auth0-spa-js send with every call; DPoP carries
// a browser app's proof of possession (RFC 9449), whose server nonce comes back in DPoP-Nonce.
const ALLOWED_HEADERS = 'Authorization, Content-Type, Auth0-Client, DPoP';
const EXPOSED_HEADERS = 'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, DPoP-Nonce';

/** The kind of a route the CORS middleware was mounted on, from the request's original URL. */
export function corsRouteKind(url: string): CorsRouteKind {
  return url.startsWith('/.well-known/') ? 'public' : 'client';
}

/** A preflight: an `OPTIONS` request naming the method the page wants to send. */
export function isPreflight(method: string, headers: Record<string, unknown>): boolean {
  return method === 'OPTIONS' && typeof headers['access-control-request-method'] === 'string';
}

/** The headers of a public route: any origin may read it. */
export function publicCorsHeaders(preflight: boolean): Record<string, string> {
  if (!preflight) return { 'Access-Control-Allow-Origin': '*' };
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET',
    'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
  };
}

/** The headers that let the page at `origin` call (preflight) or read (request) a client route. */
export function clientCorsHeaders(origin: string, preflight: boolean): Record<string, string> {
  if (!preflight) {
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
  }
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
  };
}

/** What the middleware reads from a request to find the client it speaks for. */
export interface ClientNamingRequest {
  body?: unknown;
  query?: unknown;
  headers: { authorization?: string };
}

/**
 * The client a request names, where the endpoints themselves look for it: `client_id` in the body (JSON
 * or form), in the query string (JSONP-era GET /delegation), or HTTP Basic credentials. `undefined` when
 * it names none (`/userinfo` with a bearer token) or names it in a form the endpoint will refuse anyway.
 */
export function namedClientId(req: ClientNamingRequest): string | undefined {
  const fromBody = clientIdIn(req.body);
  if (fromBody) return fromBody;
  const fromQuery = clientIdIn(req.query);
  if (fromQuery) return fromQuery;
  try {
    return basicCredentials(req.headers.authorization)?.id || undefined;
  } catch {
    return undefined;
  }
}

function clientIdIn(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const value = (params as Record<string, unknown>).client_id;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
