import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { passed, type ScenarioResult, totalOf, violationsOf } from './lib/scenario-result';
import { resultsTable } from './lib/results-table';
import type { LedgerSegment } from './lib/chaos-ledger';
import { MANAGEMENT, TenantClient } from '@libs/testing';
import { chaosConfig, type ChaosConfig } from './lib/chaos-config';
import { ChaosHttp } from './lib/chaos-http';
import { ChaosStack } from './lib/chaos-stack';
import { CHAOS_PASSWORD, ChaosTraffic, type PoolToken } from './lib/chaos-traffic';
import { ensureFreshBuild } from './lib/fresh-build';
import { ReplayView } from './lib/replay-view';
import { ScenarioAuditor } from './lib/scenario-audit';
import { runScenario } from './lib/scenario-runner';
import { StoreAudit } from './lib/store-audit';
import { Teardown } from './lib/teardown';
import { TopicReader } from './lib/topic-reader';
import { SCENARIOS } from './scenarios';
import { JWT_BEARER } from '../test/fixtures/oauth';

const ROOT = resolve(__dirname, '..');
const startedAt = performance.now();
const elapsed = () => ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
const log = (line: string) => process.stderr.write(`[${elapsed()} s] ${line}\n`);

/** Client, users and a Management API token on the fresh tenant; the traffic's view of them. */
async function createTenant(stack: ChaosStack, http: ChaosHttp, config: ChaosConfig) {
  const tenant = new TenantClient(stack.url);
  const { client_id: clientId } = await tenant.createClient({
    name: 'Chaos app',
    app_type: 'native',
    callbacks: ['com.example.chaos://callback'],
    grant_types: ['password', 'refresh_token', JWT_BEARER],
    // ES256: the cheaper signature, so more of the machine goes to the paths under test.
    jwt_configuration: { alg: 'ES256', lifetime_in_seconds: 36_000 },
  });
  const users = [];
  for (let i = 0; i < config.users; i++) {
    const user = await tenant.createUser(`chaos-${i}@example.com`, CHAOS_PASSWORD);
    users.push({ userId: user.user_id, email: user.email });
  }
  const token = await http.form('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: MANAGEMENT.clientId,
    client_secret: MANAGEMENT.clientSecret,
    audience: `${stack.url}/api/v2/`,
  });
  const managementToken = token.body?.access_token;
  if (typeof managementToken !== 'string') throw new Error('no Management API token');
  return {
    clientId,
    users,
    managementToken,
    async credentialIdOf(t: PoolToken): Promise<string | undefined> {
      const rows: { stream_id: string }[] = await stack.db.query(
        `SELECT stream_id FROM events WHERE type = 'TokenIssued'
           AND data->>'user_id' = $1 AND data->>'client_id' = $2 AND data->>'device_name' = $3`,
        [t.userId, clientId, t.key],
      );
      return rows[0]?.stream_id;
    },
  };
}

function report(results: ScenarioResult[], config: ChaosConfig, setupS: number): boolean {
  const ok = results.length > 0 && results.every(passed);
  const total = totalOf(results);
  const trafficS = results.reduce((s, r) => s + Number(r.details.trafficS ?? 0), 0);
  process.stdout.write(`\n${resultsTable(results)}\n\n`);
  process.stdout.write(
    `${total.events} events in ${trafficS.toFixed(0)} s of traffic (${(total.events / trafficS).toFixed(0)} events/s); ` +
      `setup ${setupS.toFixed(0)} s; whole run ${((performance.now() - startedAt) / 1000).toFixed(0)} s\n`,
  );
  for (const r of results) {
    const v = violationsOf(r);
    if (v.length) process.stdout.write(`FAILED ${r.name}: ${v.join(', ')}\n`);
    const samples = [
      ...((r.details.samples as string[] | undefined) ?? []),
      ...((r.details.rotationSamples as string[] | undefined) ?? []),
    ];
    for (const s of v.length ? samples : []) process.stdout.write(`    ${s}\n`);
  }
  const failed = results.filter((r) => !passed(r)).length;
  process.stdout.write(`chaos: ${results.length - failed} passed, ${failed} failed\n`);
  writeResults(config, {
    passed: ok,
    setupS: Math.round(setupS),
    trafficS: Math.round(trafficS),
    eventsPerS: Math.round(total.events / trafficS),
    loadGeneratorCpuS: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e6),
    scenarios: results.map((r) => ({ ...r, passed: passed(r), violations: violationsOf(r) })),
    total,
  });
  return ok;
}

function writeResults(config: ChaosConfig, body: Record<string, unknown>): void {
  const file = resolve(ROOT, config.resultsFile);
  mkdirSync(dirname(file), { recursive: true });
  const { only, ...settings } = config;
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        durationS: Math.round((performance.now() - startedAt) / 1000),
        settings: { ...settings, scenarios: only.length ? only : SCENARIOS.map((s) => s.name) },
        ...body,
      },
      null,
      2,
    )}\n`,
  );
  log(`results written to ${config.resultsFile}`);
}

async function main(): Promise<number> {
  const config = chaosConfig();
  const scenarios = config.only.length ? SCENARIOS.filter((s) => config.only.includes(s.name)) : SCENARIOS;
  const unknown = config.only.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length || scenarios.length === 0) {
    throw new Error(
      `CHAOS_SCENARIOS: unknown ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  const teardown = new Teardown();
  let finishing = false;
  const abort = (why: string, code: number) => {
    if (finishing) return;
    finishing = true;
    log(why);
    try {
      writeResults(config, { passed: false, error: why });
    } catch {
      /* the exit code says it */
    }
    void teardown.run(log).finally(() => process.exit(code));
  };
  const deadline = setTimeout(
    () => abort(`the run exceeded CHAOS_DEADLINE_SECONDS (${config.deadlineMs / 1000} s): aborting`, 2),
    config.deadlineMs,
  );
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  // The broker runs detached (setsid): an unexpected crash must still reach the teardown that stops it.
  process.once('uncaughtException', (error) => abort(`unexpected error: ${error.stack ?? error}`, 1));
  process.once('unhandledRejection', (error) => abort(`unexpected rejection: ${String(error)}`, 1));

  try {
    if (config.build && (await ensureFreshBuild(log))) log('built');
    const stack = await ChaosStack.start(config, teardown, log);
    const http = new ChaosHttp(stack.url, config.requestTimeoutMs, config.concurrency + 8);
    teardown.add('http agent', () => http.close());
    const tenant = await createTenant(stack, http, config);
    const traffic = new ChaosTraffic(http, tenant, config);
    teardown.add('traffic', () => traffic.stop());
    log(`issuing ${config.initialTokens} refresh tokens (password grant; each a scrypt check)`);
    await traffic.issueInitial(config.initialTokens);

    const store = new StoreAudit(stack.db);
    const reader = new TopicReader(stack.kafka, stack.topic);
    const replay = new ReplayView(stack.db);
    await replay.create();
    const auditor = new ScenarioAuditor(stack, store, reader, replay);
    const setupS = (performance.now() - startedAt) / 1000;
    // Each scenario's share of the events, in proportion to its weight (by default 20,000 each for the
    // five whole scenarios and 10,000 for api-kill-rotating).
    const weights = scenarios.reduce((sum, s) => sum + (s.weight ?? 1), 0);
    const unaudited: LedgerSegment[] = [traffic.ledger.segment];
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const budget = Math.ceil((config.events * (scenario.weight ?? 1)) / weights);
      const result = await runScenario(scenario, budget, unaudited, { stack, traffic, auditor, config, log });
      const v = violationsOf(result);
      log(
        `  ${result.events} events, ${result.ackedOps} acknowledged: ${v.length ? v.join(', ') : 'all counts 0'}`,
      );
      results.push(result);
    }
    return report(results, config, setupS) ? 0 : 1;
  } catch (error) {
    log(
      `chaos: the run could not complete: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    writeResults(config, { passed: false, error: String(error) });
    return 1;
  } finally {
    clearTimeout(deadline);
    if (!finishing) {
      log('tearing down');
      await teardown.run(log);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`chaos: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
