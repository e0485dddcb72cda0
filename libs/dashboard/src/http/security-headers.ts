import type { NextFunction, Request, Response } from 'express';

/**
 * Headers on every dashboard response, redirects and error pages included: nothing loads but the page's
 * inline style (no script at all), forms post only to us, no framing (clickjacking of the Unlink button),
 * never cached (a shared machine's back button shows no user data after logout).
 *
 * Referrer-Policy is `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends `Origin: null` on
 * the page's own form posts (Fetch, "serializing a request origin"), which the Origin check must refuse.
 * `same-origin` still sends nothing to any other site.
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "base-uri 'none'",
  ].join('; '),
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

/** Express middleware that sets `DASHBOARD_HEADERS` before anything else runs. */
export function dashboardHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set(DASHBOARD_HEADERS);
  next();
}
