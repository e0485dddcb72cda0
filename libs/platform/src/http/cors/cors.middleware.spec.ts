import type { NextFunction, Request, Response } from 'express';
import { ClientOrigins } from './client-origins.port';
import { CorsMiddleware } from './cors.middleware';

/** spa lists https://app.example.com; admin lists https://admin.example.com. */
class FakeOrigins extends ClientOrigins {
  private readonly lists: Record<string, string[]> = {
    spa: ['https://app.example.com'],
    admin: ['https://admin.example.com'],
  };
  async listedByAnyClient(origin: string) {
    return Object.values(this.lists).some((origins) => origins.includes(origin));
  }
  async listedByClient(clientId: string, origin: string) {
    return this.lists[clientId]?.includes(origin) ?? false;
  }
}

interface Call {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  query?: unknown;
}

async function run(call: Call, origins: ClientOrigins = new FakeOrigins()) {
  const headers: Record<string, string> = {};
  const result = { headers, status: undefined as number | undefined, ended: false, next: [] as unknown[] };
  const res = {
    set: (values: Record<string, string>) => Object.assign(headers, values),
    vary: (field: string) => (headers.Vary = field),
    status: (status: number) => ((result.status = status), res),
    end: () => (result.ended = true),
  };
  const req = {
    method: call.method,
    originalUrl: call.url,
    headers: call.headers ?? {},
    body: call.body,
    query: call.query,
  };
  const next: NextFunction = (...args: unknown[]) => void result.next.push(args[0]);
  await new CorsMiddleware(origins).use(req as unknown as Request, res as unknown as Response, next);
  return result;
}

const preflight = (origin: string) => ({
  method: 'OPTIONS',
  url: '/delegation',
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
  },
});

describe('CorsMiddleware', () => {
  it('answers a preflight for an origin some client lists: 204, the origin echoed, Vary, Max-Age', async () => {
    const result = await run(preflight('https://admin.example.com'));
    expect(result).toMatchObject({ status: 204, ended: true, next: [] });
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://admin.example.com',
      'Access-Control-Max-Age': '7200',
      Vary: 'Origin',
    });
    expect(result.headers).not.toHaveProperty('Access-Control-Allow-Credentials');
  });

  it('answers a preflight for an unknown origin 204 without any Access-Control header', async () => {
    const result = await run(preflight('https://evil.example.net'));
    expect(result).toMatchObject({ status: 204, ended: true });
    expect(Object.keys(result.headers).filter((h) => h.startsWith('Access-Control'))).toEqual([]);
  });

  it('checks a request against the client it names', async () => {
    const request = (clientId: string) =>
      run({
        method: 'POST',
        url: '/delegation',
        headers: { origin: 'https://app.example.com' },
        body: { client_id: clientId },
      });
    const own = await request('spa');
    expect(own.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    expect(own.next).toEqual([undefined]);
    const foreign = await request('admin');
    expect(foreign.headers).toEqual({ Vary: 'Origin' });
    expect(foreign.next).toEqual([undefined]);
  });

  it('judges a request that names no client like a preflight', async () => {
    const result = await run({
      method: 'GET',
      url: '/userinfo',
      headers: { origin: 'https://app.example.com' },
    });
    expect(result.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
  });

  it('adds nothing but Vary to a request without Origin (same origin, JSONP, servers)', async () => {
    const result = await run({
      method: 'GET',
      url: '/delegation?cbx=__auth0jp0',
      query: { client_id: 'spa' },
    });
    expect(result.headers).toEqual({ Vary: 'Origin' });
  });

  it('lets any origin read /.well-known/*', async () => {
    const get = await run({
      method: 'GET',
      url: '/.well-known/jwks.json',
      headers: { origin: 'https://x.example' },
    });
    expect(get.headers).toEqual({ 'Access-Control-Allow-Origin': '*' });
    const options = await run({
      method: 'OPTIONS',
      url: '/.well-known/openid-configuration',
      headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' },
    });
    expect(options).toMatchObject({ status: 204, headers: { 'Access-Control-Allow-Origin': '*' } });
  });

  it('passes a lookup failure on to the error filter', async () => {
    const outage = new Error('connect ECONNREFUSED');
    const failing = new (class extends FakeOrigins {
      override async listedByAnyClient(): Promise<boolean> {
        throw outage;
      }
    })();
    const result = await run(preflight('https://app.example.com'), failing);
    expect(result).toMatchObject({ next: [outage], ended: false });
  });
});
