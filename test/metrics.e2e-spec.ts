import { randomUUID } from 'node:crypto';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition → samples (comments skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The sum of `name`'s samples whose labels include `labels`. */
const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

/**
 * Issue 14 (metrics): each process serves Prometheus `/metrics` on a port of its own; traffic on the
 * public origin moves the request histograms, the exchange and revocation counters, the relay's and the
 * projector's figures.
 */
describe('Prometheus metrics (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };
  let user: { email: string };
  const password = 'a long enough password';

  const scrape = async (port: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await res.text());
  };
  const login = (device: string) =>
    tenant
      .form('/oauth/token', {
        grant_type: 'password',
        client_id: app.client_id,
        username: user.email,
        password,
        scope: 'openid offline_access',
        device,
      })
      .then((res) => res.body.refresh_token as string);
  const delegate = (token: string) =>
    tenant.json('POST', '/delegation', {
      client_id: app.client_id,
      grant_type: JWT_BEARER,
      refresh_token: token,
    });

  beforeAll(async () => {
    system = await startSystem({ env: { DELEGATION_RATE_LIMIT_PER_MINUTE: '5' } });
    tenant = new TenantClient(system.url);
    app = await tenant.createClient({
      name: 'Metrics app',
      app_type: 'native',
      callbacks: ['com.example.metrics://cb'],
      grant_types: ['refresh_token', JWT_BEARER, 'password'],
    });
    user = await tenant.createUser(`metrics-${randomUUID().slice(0, 8)}@example.com`, password);
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  it('is not served on the public origin', async () => {
    expect((await fetch(`${system.url}/metrics`)).status).toBe(404);
  });

  it('counts exchanges by outcome, revocations, and requests by route pattern', async () => {
    const before = await scrape(system.env.METRICS_PORT);
    const kept = await login('kept-device');
    for (let i = 0; i < 3; i++) expect((await delegate(kept)).status).toBe(200);
    const refreshed = await tenant.form('/oauth/token', {
      grant_type: 'refresh_token',
      client_id: app.client_id,
      refresh_token: kept,
    });
    expect(refreshed.status).toBe(200);
    expect((await delegate('not-a-token-' + randomUUID())).status).toBe(403);

    const revoked = await login('revoked-device');
    const revoke = await tenant.form('/oauth/revoke', { client_id: app.client_id, token: revoked });
    expect(revoke.status).toBe(200);
    expect((await delegate(revoked)).status).toBe(403);

    let limited = 0;
    for (let i = 0; i < 8 && limited === 0; i++) if ((await delegate(kept)).status === 429) limited++;
    expect(limited).toBe(1);

    const after = await scrape(system.env.METRICS_PORT);
    const moved = (name: string, labels: Record<string, string>) =>
      total(after, name, labels) - total(before, name, labels);
    expect(moved('token_exchanges_total', { via: 'delegation', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(moved('token_exchanges_total', { via: 'refresh_token', outcome: 'ok' })).toBe(1);
    expect(moved('token_exchanges_total', { outcome: 'refused', reason: 'unknown_token' })).toBe(1);
    expect(moved('token_exchanges_total', { outcome: 'refused', reason: 'revoked' })).toBe(1);
    expect(moved('token_exchanges_total', { via: 'delegation', outcome: 'rate_limited' })).toBe(1);
    expect(moved('credential_revocations_total', { reason: 'oauth_revoke' })).toBe(1);

    // Requests under their route pattern and status, with the histogram's buckets.
    const delegations = { name: 'http_request_duration_seconds_count', route: '/delegation', method: 'POST' };
    expect(moved(delegations.name, { route: '/delegation', method: 'POST', status: '200' })).toBeGreaterThan(
      3,
    );
    expect(moved(delegations.name, { route: '/delegation', status: '403' })).toBe(2);
    expect(moved(delegations.name, { route: '/delegation', status: '429' })).toBe(1);
    const buckets = after.filter(
      (s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === '/delegation',
    );
    expect(new Set(buckets.map((s) => s.labels.le)).size).toBeGreaterThan(5);
    expect(buckets.find((s) => s.labels.le === '+Inf')?.value).toBeGreaterThan(0);
    const routes = new Set(after.filter((s) => s.labels.route).map((s) => s.labels.route));
    expect([...routes].every((route) => !/dcr_|auth0\||[0-9a-f]{8}-/.test(route))).toBe(true);

    // Node's own: event-loop lag among the default metrics; every sample names its process.
    expect(after.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(after.every((s) => s.labels.service === 'api')).toBe(true);
    // The app runs on the Node that runs the tests (spawnApp uses process.execPath): Node 24 under test:node24.
    const [version] = after.filter((s) => s.name === 'nodejs_version_info');
    expect(version.labels.major).toBe(process.versions.node.split('.')[0]);
  });

  it('reports the relay and the projector: events relayed, outbox depth, consumer lag per partition', async () => {
    await eventually(async () => {
      const api = await scrape(system.env.METRICS_PORT);
      return (
        total(api, 'outbox_relayed_events_total') > 0 && total(api, 'outbox_relay_lag_seconds_count') > 0
      );
    }, 20_000);
    const api = await scrape(system.env.METRICS_PORT);
    expect(api.filter((s) => s.name === 'outbox_depth')).toHaveLength(1);

    await eventually(
      async () =>
        total(await scrape(system.env.PROJECTOR_METRICS_PORT), 'projector_events_applied_total') > 0,
      20_000,
    );
    const projector = await scrape(system.env.PROJECTOR_METRICS_PORT);
    const lag = projector.filter((s) => s.name === 'kafka_consumer_lag');
    expect(lag.length).toBeGreaterThan(0);
    for (const sample of lag) {
      expect(sample.labels).toEqual(expect.objectContaining({ partition: expect.stringMatching(/^\d+$/) }));
      expect(sample.value).toBeGreaterThanOrEqual(0);
    }
    expect(projector.some((s) => s.name === 'projector_lag_seconds')).toBe(true);
    expect(projector.every((s) => s.labels.service === 'projector')).toBe(true);
  });
});
