import type { AppConfig } from '@libs/config';
import { Overloaded } from '@libs/database';
import { Metrics } from '../metrics/metrics';
import { AdmissionControl } from './admission-control';
import { AdmissionMiddleware } from './admission.middleware';
import type { EventLoopDelay } from './event-loop-delay';

const limits = (overload: Partial<AppConfig['overload']>) =>
  ({
    overload: { maxInFlight: 2, maxEventLoopDelayMs: 100, maxQueue: 10, retryAfterSeconds: 3, ...overload },
  }) as AppConfig;
/** A stand-in for the event-loop monitor: `window(ms)` completes a window with that p99 delay. */
function loop(recentMs = 0) {
  const listeners: ((ms: number) => void)[] = [];
  const delay = {
    recentMs,
    onWindow: (listener: (ms: number) => void) => listeners.push(listener),
    window(ms: number) {
      delay.recentMs = ms;
      listeners.forEach((listener) => listener(ms));
    },
  };
  return delay as typeof delay & EventLoopDelay;
}

describe('AdmissionControl', () => {
  it('admits up to OVERLOAD_MAX_INFLIGHT at once, refuses the next, and admits again once one is released', () => {
    const admission = new AdmissionControl(limits({}), loop());
    expect(admission.admit()).toBeUndefined();
    expect(admission.admit()).toBeUndefined();
    const refusal = admission.admit();
    expect(refusal).toBeInstanceOf(Overloaded);
    expect(refusal).toMatchObject({ reason: 'in_flight', retryAfterSeconds: 3 });
    expect(admission.status()).toEqual({ inFlight: 2, limit: 2, eventLoopDelayMs: 0, shedding: true });
    admission.release();
    expect(admission.admit()).toBeUndefined();
  });

  it('halves the bound per window the loop lags past OVERLOAD_MAX_EVENT_LOOP_DELAY_MS (down to 1), and raises it by an eighth of the bound per window it does not', () => {
    const delay = loop();
    const admission = new AdmissionControl(limits({ maxInFlight: 16 }), delay);
    const window = (recentMs: number) => (delay.window(recentMs), admission.status().limit);
    expect([150, 150, 150, 150, 150, 150].map(window)).toEqual([8, 4, 2, 1, 1, 1]);
    expect(admission.admit()).toBeUndefined(); // a lagging process still serves one at a time
    expect(admission.admit()).toMatchObject({ reason: 'event_loop_delay', retryAfterSeconds: 3 });
    expect(admission.status()).toMatchObject({
      inFlight: 1,
      limit: 1,
      eventLoopDelayMs: 150,
      shedding: true,
    });
    expect([10, 10, 10].map(window)).toEqual([3, 5, 7]);
    expect(admission.admit()).toBeUndefined();
    expect([10, 10, 10, 10, 10].map(window)).toEqual([9, 11, 13, 15, 16]);
  });

  it("keeps a noisy machine's occasional stall from shedding a few dozen clients (the defaults)", () => {
    const delay = loop();
    const admission = new AdmissionControl(limits({ maxInFlight: 256, maxEventLoopDelayMs: 500 }), delay);
    // Stalls of 0.3 s change nothing; two 0.6 s stalls in a row leave 64, back to 256 within 2 s.
    expect([300, 300, 600, 600].map((ms) => (delay.window(ms), admission.status().limit))).toEqual([
      256, 256, 128, 64,
    ]);
    for (let i = 0; i < 50; i++) expect(admission.admit()).toBeUndefined();
    for (let i = 0; i < 6; i++) delay.window(20);
    expect(admission.status().limit).toBe(256);
  });

  it('sheds every request while the loop lags when no in-flight bound is set', () => {
    const delay = loop(150);
    const admission = new AdmissionControl(limits({ maxInFlight: 0 }), delay);
    expect(admission.admit()).toMatchObject({ reason: 'event_loop_delay' });
    delay.recentMs = 40;
    expect(admission.admit()).toBeUndefined();
  });

  it('checks nothing that is configured 0', () => {
    const admission = new AdmissionControl(limits({ maxInFlight: 0, maxEventLoopDelayMs: 0 }), loop(10_000));
    for (let i = 0; i < 1_000; i++) expect(admission.admit()).toBeUndefined();
  });

  it('never counts below zero (a release without an admission changes nothing)', () => {
    const admission = new AdmissionControl(limits({ maxInFlight: 1 }), loop());
    admission.release();
    expect(admission.admit()).toBeUndefined();
    expect(admission.admit()).toBeDefined();
  });
});

describe('AdmissionMiddleware', () => {
  const request = (originalUrl: string, body: unknown = {}) => ({ originalUrl, path: '/', body }) as never;
  function response() {
    const res = {
      statusCode: 200,
      headers: {} as Record<string, string>,
      body: undefined as unknown,
      closed: [] as (() => void)[],
      status: (code: number) => ((res.statusCode = code), res),
      set: (headers: Record<string, string>) => (Object.assign(res.headers, headers), res),
      json: (body: unknown) => ((res.body = body), res),
      once: (_event: 'close', listener: () => void) => (res.closed.push(listener), res),
    };
    return res;
  }

  it('answers 503 temporarily_unavailable with Retry-After at once when refused, and passes nothing on', () => {
    const admission = new AdmissionControl(limits({ maxInFlight: 1 }), loop());
    const middleware = new AdmissionMiddleware(admission, new Metrics());
    const next = jest.fn();
    const first = response();
    middleware.use(request('/delegation'), first as never, next);
    expect(next).toHaveBeenCalledTimes(1);

    const shed = response();
    middleware.use(request('/delegation'), shed as never, next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(shed.statusCode).toBe(503);
    expect(shed.headers).toMatchObject({ 'Retry-After': '3', 'Cache-Control': 'no-store' });
    expect(shed.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The service is overloaded. Try again shortly.',
    });

    first.closed.forEach((close) => close()); // the admitted request is answered
    middleware.use(request('/delegation'), response() as never, next);
    expect(next).toHaveBeenCalledTimes(2);
  });

  it('sheds the refresh-token grant of /oauth/token only: logins and client credentials pass', () => {
    const admission = new AdmissionControl(limits({ maxInFlight: 0 }), loop(1_000));
    const middleware = new AdmissionMiddleware(admission, new Metrics());
    const next = jest.fn();
    for (const grant_type of ['client_credentials', 'password', 'authorization_code']) {
      middleware.use(request('/oauth/token', { grant_type }), response() as never, next);
    }
    expect(next).toHaveBeenCalledTimes(3);
    const shed = response();
    middleware.use(request('/oauth/token', { grant_type: 'refresh_token' }), shed as never, next);
    expect(shed.statusCode).toBe(503);
    expect(next).toHaveBeenCalledTimes(3);
  });
});
