import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '@libs/platform';

interface Panel {
  title: string;
  type: string;
  targets: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(__dirname, '../docs/grafana-dashboard.json'), 'utf8')) as {
  title: string;
  panels: Panel[];
};
const SUFFIXES = ['', '_bucket', '_count', '_sum'];
const PROMQL = new Set(['histogram_quantile']);

/** docs/grafana-dashboard.json queries only metrics the processes export, and has a panel for each figure. */
describe('the Grafana dashboard', () => {
  it('queries only metrics the service exports', async () => {
    const metrics = new Metrics();
    const exported = new Set(
      (await metrics.registry.getMetricsAsJSON()).flatMap((m) => SUFFIXES.map((s) => `${m.name}${s}`)),
    );
    const queried = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => [...t.expr.matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b(?=[{[)])/g)]),
    );
    const names = [...new Set(queried.map((m) => m[1]))].filter((name) => !PROMQL.has(name));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('has a panel for requests, exchanges, revocations, outbox, lags, errors and the event loop', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const metric of [
      'http_request_duration_seconds_bucket',
      'token_exchanges_total',
      'credential_revocations_total',
      'outbox_depth',
      'outbox_relay_lag_seconds_bucket',
      'projector_lag_seconds',
      'kafka_consumer_lag',
      'dependency_errors_total',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(exprs).toContain(metric);
    }
  });
});
