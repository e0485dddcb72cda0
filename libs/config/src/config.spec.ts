import { InvalidConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000, projectorPort: 3001 });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/refresh_tokens');
  });

  it('reads and converts the variables it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      KAFKA_BROKERS: 'a:1,b:2',
      PUBLIC_URL: 'https://auth.example.com/',
    });
    expect(config.http.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.publicUrl).toBe('https://auth.example.com');
  });

  it('trusts no proxy by default and refuses to trust every proxy', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY="true"/);
  });

  it('connects each process as the owner unless it is given a role of its own', () => {
    const owner = 'postgres://postgres@127.0.0.1:5432/refresh_tokens';
    expect(loadConfig({}).database).toEqual({ url: owner, api: owner, projector: owner, controlPoolSize: 4 });
    const api = 'postgres://rts_api@127.0.0.1:5432/refresh_tokens';
    expect(loadConfig({ DATABASE_API_URL: api }).database).toMatchObject({
      url: owner,
      api,
      projector: owner,
    });
    expect(() => loadConfig({ DATABASE_PROJECTOR_URL: 'mysql://x' })).toThrow(/DATABASE_PROJECTOR_URL/);
  });

  it('bounds the hot path under overload: admission limits, queue bound and Retry-After, 0 switching a check off', () => {
    // Conservative defaults: the e2e suites' few dozen closed-loop clients on a noisy machine are never shed.
    expect(loadConfig({}).overload).toEqual({
      maxInFlight: 256,
      maxEventLoopDelayMs: 500,
      maxQueue: 10_000,
      retryAfterSeconds: 1,
    });
    expect(
      loadConfig({ OVERLOAD_MAX_INFLIGHT: '0', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' }).overload,
    ).toMatchObject({
      maxInFlight: 0,
      maxEventLoopDelayMs: 0,
    });
    expect(loadConfig({ DATABASE_CONTROL_POOL_SIZE: '2' }).database.controlPoolSize).toBe(2);
    expect(() => loadConfig({ OVERLOAD_MAX_INFLIGHT: '-1' })).toThrow(/OVERLOAD_MAX_INFLIGHT/);
    expect(() => loadConfig({ OVERLOAD_RETRY_AFTER_SECONDS: '0' })).toThrow(/OVERLOAD_RETRY_AFTER_SECONDS/);
    expect(() => loadConfig({ DPOP_NONCE_REQUIRED: 'yes' })).toThrow(/DPOP_NONCE_REQUIRED/);
    expect(loadConfig({ DPOP_NONCE_REQUIRED: 'true' }).dpopNonceRequired).toBe(true);
    expect(loadConfig({}).dpopNonceRequired).toBe(false);
    expect(() => loadConfig({ OVERLOAD_MAX_QUEUE: 'many' })).toThrow(/OVERLOAD_MAX_QUEUE/);
    expect(() => loadConfig({ DATABASE_CONTROL_POOL_SIZE: '51' })).toThrow(/DATABASE_CONTROL_POOL_SIZE/);
  });

  it('serves metrics on ports of their own, 9464 (api) and 9465 (projector) by default', () => {
    expect(loadConfig({}).metrics).toEqual({ apiPort: 9464, projectorPort: 9465 });
    expect(loadConfig({ METRICS_PORT: '9100' }).metrics.apiPort).toBe(9100);
    expect(() => loadConfig({ PROJECTOR_METRICS_PORT: '-1' })).toThrow(/PROJECTOR_METRICS_PORT="-1"/);
  });

  it('keeps the limits in memory unless REDIS_URL names a Redis to share them in', () => {
    expect(loadConfig({}).limits).toEqual({ redisUrl: null, keyPrefix: 'rts:' });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', LIMITS_KEY_PREFIX: 'staging:' }).limits).toEqual(
      {
        redisUrl: 'redis://127.0.0.1:6379',
        keyPrefix: 'staging:',
      },
    );
    expect(() => loadConfig({ REDIS_URL: 'http://cache' })).toThrow(/REDIS_URL="http:\/\/cache"/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(3000);
  });

  it.each([
    ['PORT', 'eighty', /PORT="eighty"/],
    ['PORT', '70000', /PORT="70000": .*must not be greater than 65535/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x": must be a postgres/],
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS="localhost": must be a comma-separated list of host:port/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud"/],
    ['PUBLIC_URL', 'not a url', /PUBLIC_URL="not a url"/],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(InvalidConfigError);
    expect(attempt).toThrow(message);
  });

  it('refuses the development secrets in production, naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /SERVER_SECRET: must be set to a secret of your own[\s\S]*MANAGEMENT_CLIENT_SECRET[\s\S]*DASHBOARD_ADMIN_PASSWORD/,
    );
    const config = loadConfig({
      NODE_ENV: 'production',
      SERVER_SECRET: 'x'.repeat(32),
      MANAGEMENT_CLIENT_SECRET: 'y'.repeat(16),
      DASHBOARD_ADMIN_PASSWORD: 'z'.repeat(12),
    });
    expect(config.usesDevelopmentSecrets).toBe(false);
  });

  it('reads the dashboard administrator, lowercasing the email, and refuses a short password unechoed', () => {
    expect(loadConfig({}).dashboardAdmin).toEqual({
      email: 'admin@example.com',
      password: 'development-only-dashboard-password',
    });
    expect(
      loadConfig({ DASHBOARD_ADMIN_EMAIL: 'Ops@Example.COM', DASHBOARD_ADMIN_PASSWORD: 'p'.repeat(12) })
        .dashboardAdmin,
    ).toEqual({ email: 'ops@example.com', password: 'p'.repeat(12) });
    const short = () => loadConfig({ DASHBOARD_ADMIN_PASSWORD: 'elevenchars' });
    expect(short).toThrow(/DASHBOARD_ADMIN_PASSWORD=\[redacted\]: .*longer than or equal to 12/);
    expect(short).not.toThrow(/elevenchars/);
    expect(() => loadConfig({ DASHBOARD_ADMIN_EMAIL: 'not-an-email' })).toThrow(
      /DASHBOARD_ADMIN_EMAIL="not-an-email": must be an email address/,
    );
  });

  it('refuses a short server secret without echoing it', () => {
    const attempt = () => loadConfig({ SERVER_SECRET: 'short-secret' });
    expect(attempt).toThrow(/SERVER_SECRET=\[redacted\]: .*longer than or equal to 32/);
    expect(attempt).not.toThrow(/short-secret/);
  });

  it('reads the previous server secrets, refusing short, repeated or current ones without echoing them', () => {
    const current = 'c'.repeat(40);
    const [a, b] = ['a'.repeat(32), 'b'.repeat(48)];
    expect(loadConfig({}).previousServerSecrets).toEqual([]);
    expect(
      loadConfig({ SERVER_SECRET: current, SERVER_SECRETS_PREVIOUS: ` ${a} ,${b},` }).previousServerSecrets,
    ).toEqual([a, b]);
    const refusals: [string, RegExp][] = [
      [`${a},short-previous-secret`, /SERVER_SECRETS_PREVIOUS=\[redacted\]: entry 2 is shorter than 32/],
      [`${a},${current}`, /must not list SERVER_SECRET itself/],
      [`${a},${a}`, /lists the same secret twice/],
    ];
    for (const [previous, problem] of refusals) {
      const attempt = () => loadConfig({ SERVER_SECRET: current, SERVER_SECRETS_PREVIOUS: previous });
      expect(attempt).toThrow(problem);
      expect(attempt).not.toThrow(/short-previous-secret|aaaa|cccc/);
    }
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', KAFKA_BROKERS: 'y' });
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as InvalidConfigError).problems.map((p) => p.split('=')[0])).toEqual([
        'PORT',
        'KAFKA_BROKERS',
      ]);
    }
  });
});
