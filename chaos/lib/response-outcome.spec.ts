import { classifyOutcome } from './response-outcome';

describe('classifyOutcome', () => {
  const response = (status: number, error?: string, retryAfter?: string) =>
    ({ kind: 'response', status, error, retryAfter }) as const;

  it('counts a 2xx as acknowledged', () => {
    expect(classifyOutcome(response(200))).toBe('acked');
    expect(classifyOutcome(response(204))).toBe('acked');
  });

  it('accepts a 503 only as temporarily_unavailable with Retry-After', () => {
    expect(classifyOutcome(response(503, 'temporarily_unavailable', '5'))).toBe('unavailable');
    expect(classifyOutcome(response(503, 'temporarily_unavailable'))).toBe('bad-unavailable');
    expect(classifyOutcome(response(503, 'temporarily_unavailable', ' '))).toBe('bad-unavailable');
    expect(classifyOutcome(response(503, 'server_error', '5'))).toBe('bad-unavailable');
  });

  it('counts every other 5xx as a server error', () => {
    expect(classifyOutcome(response(500, 'server_error'))).toBe('server-error');
    expect(classifyOutcome(response(502))).toBe('server-error');
  });

  it('expects a 403 invalid_grant only once the token revocation was sent', () => {
    expect(classifyOutcome(response(403, 'invalid_grant'), { refusalExpected: true })).toBe('refused');
    expect(classifyOutcome(response(403, 'invalid_grant'))).toBe('unexpected-4xx');
    expect(classifyOutcome(response(400, 'invalid_request'), { refusalExpected: true })).toBe(
      'unexpected-4xx',
    );
    expect(classifyOutcome(response(429, 'too_many_requests'))).toBe('unexpected-4xx');
  });

  it('counts a timeout as a hang, and excuses refused connections only while the api is down', () => {
    expect(classifyOutcome({ kind: 'timeout' }, { apiDown: true })).toBe('hang');
    expect(classifyOutcome({ kind: 'connection-error', code: 'ECONNREFUSED' })).toBe('connection-error');
    expect(classifyOutcome({ kind: 'connection-error', code: 'ECONNRESET' }, { apiDown: true })).toBe(
      'excused-connection-error',
    );
  });
});
