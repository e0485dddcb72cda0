import type { Response } from 'express';
import { randomToken } from '@libs/security';
import { renderErrorPage, type ErrorPageView } from './authorize-pages';
import { pageHeaders, REDIRECT_HEADERS } from './page-headers';

/** Sends an HTML page with the headers every /authorize page carries; `render` gets the page's style nonce. */
export function sendPage(
  res: Response,
  status: number,
  render: (styleNonce: string) => string,
  options: { formTargets?: string[]; headers?: Record<string, string> } = {},
): void {
  const styleNonce = randomToken(16);
  res
    .status(status)
    .set({ ...pageHeaders(styleNonce, options.formTargets), ...options.headers })
    .type('html')
    .send(render(styleNonce));
}

/** Sends an error page: the user reads it, nothing is sent back to the application. */
export function sendErrorPage(
  res: Response,
  status: number,
  view: Omit<ErrorPageView, 'styleNonce'>,
  headers: Record<string, string> = {},
): void {
  sendPage(res, status, (styleNonce) => renderErrorPage({ ...view, styleNonce }), { headers });
}

/** Sends a 302 to `location` (already a serialized URL, so ASCII) without caching it. */
export function sendRedirect(res: Response, location: string): void {
  res.status(302).set(REDIRECT_HEADERS).setHeader('Location', location);
  res.end();
}
