import { getDomain } from 'tldts';

/**
 * The page origins a client lets call the Authentication API from a browser: Auth0's `allowed_origins`
 * ("Allowed Origins (CORS)") and `web_origins` ("Allowed Web Origins", which Auth0 uses for web_message
 * and silent authentication). Both allow CORS here; this service has no web_message flow.
 *
 * An origin is `scheme://host[:port]` (RFC 6454), http or https, with no path, query, fragment or user
 * info; a single trailing `/` is tolerated and dropped. Auth0's subdomain placeholder is supported as the
 * whole leftmost label only: `https://*.example.com` matches `https://app.example.com`, not
 * `https://example.com` nor `https://a.b.example.com`, and needs at least two labels after it (no `*.com`).
 * A wildcard is refused over a public suffix of the Public Suffix List, ICANN and private sections alike
 * (`https://*.co.uk`, `https://*.github.io`: every site under it belongs to someone else), and over plain
 * `http` (any network on the path can answer for a host it matches, so the pattern admits pages nobody
 * listed); exact `http` origins such as `http://localhost:3000` stay allowed (issue 19 finding 12).
 * Stored normalized the way browsers write `Origin`: lower case, punycode, no default port.
 */

/** At most this many origins per list, each at most this long (Auth0 caps its lists too). */
export const MAX_CLIENT_ORIGINS = 100;
export const MAX_CLIENT_ORIGIN_LENGTH = 512;

const WILDCARD_LABEL = '*.';

/** Why `value` is not an acceptable origin, or `undefined` when it is. */
export function clientOriginProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${value} is not an origin (scheme://host[:port])`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${value} must use http or https`;
  if (url.username || url.password) return `${value} must not contain user info`;
  if (url.pathname !== '/' || /[?#]/.test(value)) {
    return `${value} must not contain a path, query or fragment`;
  }
  const wildcard = url.hostname.startsWith(WILDCARD_LABEL);
  const domain = wildcard ? url.hostname.slice(WILDCARD_LABEL.length) : url.hostname;
  if (domain.includes('*'))
    return `${value}: a wildcard may only be the whole leftmost label (https://*.example.com)`;
  if (wildcard && domain.split('.').length < 2) {
    return `${value}: a wildcard needs a domain of at least two labels after it`;
  }
  if (wildcard) return wildcardProblem(value, url.protocol, domain);
  return undefined;
}

/** Why the subdomain wildcard of `value` over `domain` is too wide, or `undefined` when it is not. */
function wildcardProblem(value: string, protocol: string, domain: string): string | undefined {
  if (protocol !== 'https:') return `${value}: a wildcard origin must use https`;
  // `getDomain` answers null for a public suffix itself: nothing under it is registrable by one owner.
  if (getDomain(domain, { allowPrivateDomains: true }) === null) {
    return `${value}: a wildcard must not cover a public suffix (${domain} is on the Public Suffix List)`;
  }
  return undefined;
}

/** `value` (accepted by `clientOriginProblem`) as browsers write the `Origin` header. */
export function normalizeClientOrigin(value: string): string {
  const url = new URL(value);
  return `${url.protocol}//${url.host}`;
}

/** An origin a client lists, ready to be matched against `Origin` headers. */
export type OriginPattern =
  | { kind: 'exact'; origin: string }
  | { kind: 'subdomain'; scheme: string; suffix: string; port: string };

/** Compiles a stored (normalized) origin. */
export function originPattern(stored: string): OriginPattern {
  const url = new URL(stored);
  if (!url.hostname.startsWith(WILDCARD_LABEL)) return { kind: 'exact', origin: stored };
  return { kind: 'subdomain', scheme: url.protocol, suffix: url.hostname.slice(1), port: url.port };
}

/** True when the `Origin` header `origin` is one the subdomain pattern allows: exactly one label more. */
export function matchesSubdomain(
  pattern: Extract<OriginPattern, { kind: 'subdomain' }>,
  origin: string,
): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (
    url.protocol !== pattern.scheme ||
    url.port !== pattern.port ||
    origin !== `${url.protocol}//${url.host}`
  ) {
    return false;
  }
  const label = url.hostname.endsWith(pattern.suffix) ? url.hostname.slice(0, -pattern.suffix.length) : '';
  return /^[a-z0-9-]+$/.test(label);
}
