import type { ArgumentsHost } from '@nestjs/common';
import { Overloaded } from '@libs/database';
import { DashboardExceptionFilter } from './dashboard-exception.filter';
import { DashboardPaths } from './dashboard-paths';

/** A stand-in for Express's response: records what the filter sends. */
function fakeResponse() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: '' };
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return res;
    },
    set(name: string | Record<string, string>, value?: string) {
      Object.assign(sent.headers, typeof name === 'string' ? { [name]: value } : name);
      return res;
    },
    type() {
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

describe('dashboard error pages', () => {
  const filter = new DashboardExceptionFilter(new DashboardPaths('http://127.0.0.1:3000'));

  it('answers 503 with Retry-After, not a 500, while PostgreSQL is down', () => {
    const { sent, host } = fakeResponse();
    filter.catch(Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' }), host);
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('5');
    expect(sent.body).toContain('temporarily_unavailable');
    expect(sent.body).not.toContain('57P01');
  });

  it('issue 19 finding 2: answers 503 with its Retry-After, not a 500, when the password hashing queue is full', () => {
    const { sent, host } = fakeResponse();
    filter.catch(new Overloaded('queue_full', 2), host);
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('2');
    expect(sent.body).toContain('temporarily_unavailable');
  });

  it('answers 500 without internals for anything else unexpected', () => {
    const { sent, host } = fakeResponse();
    filter.catch(new Error('boom at /work/main/secret.ts'), host);
    expect(sent.status).toBe(500);
    expect(sent.headers['Retry-After']).toBeUndefined();
    expect(sent.body).not.toContain('secret.ts');
  });
});
