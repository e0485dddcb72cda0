import {
  createTestDatabase,
  freePort,
  spawnApp,
  testBrokers,
  waitForHealth,
  type AppProcess,
  type TestDatabase,
} from '@libs/testing';

/** The operational surface of both apps, run as compiled processes against the real broker and database. */
describe('operational surface (e2e)', () => {
  let db: TestDatabase;
  let api: AppProcess;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = spawnApp('api', {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testBrokers().join(','),
      PORT: String(port),
    });
    await waitForHealth(url, api);
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('answers liveness', async () => {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when PostgreSQL and Kafka answer', async () => {
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      down: [],
      checks: { postgres: { status: 'up' }, kafka: { status: 'up' } },
      // Admission control's state (issue 15): ready, not shedding, at the default bound.
      overload: {
        inFlight: expect.any(Number),
        limit: 256,
        eventLoopDelayMs: expect.any(Number),
        shedding: false,
      },
    });
  });

  it('answers an unknown route with an OAuth-style 404', async () => {
    const res = await fetch(`${url}/no-such-endpoint`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'not_found',
      error_description: 'Cannot GET /no-such-endpoint',
    });
  });

  it('echoes a sane X-Request-Id and logs it as the correlation id, one JSON line per request', async () => {
    const res = await fetch(`${url}/no-such-endpoint`, { headers: { 'X-Request-Id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
    const line = await (async () => {
      for (let i = 0; i < 50; i++) {
        const found = api.logs().find((l) => l.correlationId === 'trace-abc-123');
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    expect(line).toMatchObject({
      service: 'api',
      req: { id: 'trace-abc-123', method: 'GET' },
      res: { statusCode: 404 },
    });
  });

  it('replaces a malformed X-Request-Id with a fresh UUID', async () => {
    const res = await fetch(`${url}/health`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never logs the Authorization header', async () => {
    await fetch(`${url}/no-such-endpoint`, { headers: { Authorization: 'Bearer super-secret-value' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(api.lines.join('\n')).not.toContain('super-secret-value');
  });
});

describe('readiness with a dependency down (e2e)', () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('reports 503 naming Kafka when no broker answers', async () => {
    db = await createTestDatabase();
    const port = await freePort();
    const deadBroker = `127.0.0.1:${await freePort()}`;
    const api = spawnApp('api', { DATABASE_URL: db.url, KAFKA_BROKERS: deadBroker, PORT: String(port) });
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, api);
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { checks: Record<string, { status: string; error?: string }> };
      expect(body).toMatchObject({
        status: 'unavailable',
        down: ['kafka'],
        checks: { postgres: { status: 'up' } },
      });
      expect(body.checks.kafka.status).toBe('down');
      expect(body.checks.kafka.error).toEqual(expect.any(String));
    } finally {
      await api.stop();
    }
  }, 60_000);

  it('refuses to start, saying why, when PostgreSQL cannot be reached at boot', async () => {
    const deadDb = `postgres://postgres@127.0.0.1:${await freePort()}/nothing`;
    const port = String(await freePort());
    const api = spawnApp('api', { DATABASE_URL: deadDb, KAFKA_BROKERS: testBrokers().join(','), PORT: port });
    expect(await api.exited).toBe(1);
    expect([...api.lines, ...api.stderr].join('\n')).toMatch(/Unable to connect to the database/);
  }, 30_000);
});

describe('process lifecycle (e2e)', () => {
  it('refuses to start with a malformed variable and names it', async () => {
    const api = spawnApp('api', { PORT: 'eighty', KAFKA_BROKERS: 'no-port-here' });
    expect(await api.exited).toBe(78);
    const message = api.stderr.join('\n');
    expect(message).toContain('PORT="eighty"');
    expect(message).toContain('KAFKA_BROKERS="no-port-here": must be a comma-separated list of host:port');
  });

  it.each(['api', 'projector'] as const)(
    '%s drains and exits cleanly on SIGTERM',
    async (app) => {
      const db = await createTestDatabase();
      const port = await freePort();
      const proc = spawnApp(app, {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: testBrokers().join(','),
        PORT: String(port),
        PROJECTOR_PORT: String(port),
      });
      try {
        await waitForHealth(`http://127.0.0.1:${port}`, proc);
        const code = await proc.stop('SIGTERM');
        expect([0, 'SIGTERM']).toContain(code);
        const messages = proc.logs().map((l) => l.msg);
        expect(messages).toEqual(expect.arrayContaining(['shutting down', 'shutdown complete']));
      } finally {
        await proc.stop('SIGKILL');
        await db.drop();
      }
    },
    60_000,
  );
});
