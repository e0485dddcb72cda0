import type { ArgumentsHost } from '@nestjs/common';
import { TooManyRequests } from '@libs/platform';
import { AuthorizePageExceptionFilter } from './authorize-page-exception.filter';

/** A stand-in for Express's response: records what the filter sends. */
function fakeResponse(headersSent = false) {
  const sent = { status: 0, headers: {} as Record<string, string>, type: '', body: '' };
  const res = {
    headersSent,
    status(code: number) {
      sent.status = code;
      return res;
    },
    set(headers: Record<string, string>) {
      Object.assign(sent.headers, headers);
      return res;
    },
    type(type: string) {
      sent.type = type;
      return res;
    },
    send(body: string) {
      sent.body = body;
      return res;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  return { sent, host };
}

describe('errors on the browser-facing /authorize endpoints', () => {
  const filter = new AuthorizePageExceptionFilter();

  it('shows an HTML page with a 500, not JSON and not the internals, for an unexpected error', () => {
    const { sent, host } = fakeResponse();
    filter.catch(new Error('connect ECONNREFUSED 127.0.0.1:5432 password=hunter2'), host);
    expect(sent.status).toBe(500);
    expect(sent.type).toBe('html');
    expect(sent.body).toMatch(/^<!doctype html>/);
    expect(sent.body).toContain('server_error');
    expect(sent.body).not.toMatch(/ECONNREFUSED|hunter2/);
    expect(sent.headers).toMatchObject({ 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store' });
  });

  it('answers 503 with Retry-After, not a 500, while PostgreSQL is down', () => {
    const { sent, host } = fakeResponse();
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    filter.catch(outage, host);
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('5');
    expect(sent.body).toContain('temporarily_unavailable');
    expect(sent.body).not.toMatch(/ECONNREFUSED|5432/);
  });

  it('keeps the status, description and headers of an OAuth error', () => {
    const { sent, host } = fakeResponse();
    filter.catch(new TooManyRequests('Slow down.', 30), host);
    expect(sent.status).toBe(429);
    expect(sent.headers['Retry-After']).toBe('30');
    expect(sent.body).toContain('Slow down.');
    expect(sent.body).toContain('too_many_requests');
  });

  it('writes nothing once the response has started', () => {
    const { sent, host } = fakeResponse(true);
    filter.catch(new Error('late'), host);
    expect(sent.status).toBe(0);
  });
});
