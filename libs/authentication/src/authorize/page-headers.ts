// A scheme-source (`com.example.app:`) or an http(s) origin, with nothing that could end the directive.
const SOURCE_EXPRESSION = /^(?:[a-z][a-z0-9+.-]*:|https?:\/\/[A-Za-z0-9.\-[\]:]+)$/;

/**
 * The CSP source a form on the login page must be allowed to reach after its POST: Chromium applies
 * `form-action` to the redirect that follows a form submission (w3c/webappsec-csp#8), so the client's
 * callback origin (or a native app's private-use scheme) must be listed beside 'self'.
 */
export function formActionSource(redirectUri: string): string | null {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return null;
  }
  const source = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  return SOURCE_EXPRESSION.test(source) ? source : null;
}

/**
 * Headers for every page /authorize renders: nothing loads but the page's own nonce'd style, forms post only
 * to us (and the callback they redirect to), the page cannot be framed (clickjacking of the login form),
 * it is never cached, and no Referer leaks the authorization request or response.
 */
export function pageHeaders(styleNonce: string, formTargets: string[] = []): Record<string, string> {
  const formAction = ["'self'", ...formTargets].join(' ');
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      `style-src 'nonce-${styleNonce}'`,
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** Headers for the redirects /authorize answers with: never cached, no Referer carrying our URL along. */
export const REDIRECT_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Referrer-Policy': 'no-referrer',
};
