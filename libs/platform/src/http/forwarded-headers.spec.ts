import type { NextFunction, Request, Response } from 'express';
import { warnOfUntrustedProxy } from './forwarded-headers';

describe('warnOfUntrustedProxy (issue 19 finding 4)', () => {
  const request = (headers: Record<string, string>) =>
    ({ headers, socket: { remoteAddress: '10.0.0.1' } }) as unknown as Request;

  it('logs once, as an error, when a request carries X-Forwarded-For or Forwarded; passes every request on', () => {
    const error = jest.fn();
    const next = jest.fn() as NextFunction;
    const middleware = warnOfUntrustedProxy({ error });
    middleware(request({}), {} as Response, next);
    expect(error).not.toHaveBeenCalled();
    middleware(request({ forwarded: 'for=203.0.113.7' }), {} as Response, next);
    middleware(request({ 'x-forwarded-for': '203.0.113.8' }), {} as Response, next);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0][0]).toMatchObject({ event: 'untrusted_proxy_headers' });
    expect(next).toHaveBeenCalledTimes(3);
  });
});
