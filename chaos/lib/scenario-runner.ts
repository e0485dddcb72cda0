import type { LedgerSegment } from './chaos-ledger';
import type { ScenarioResult } from './scenario-result';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenarios';
import type { ChaosConfig } from './chaos-config';
import type { ChaosStack } from './chaos-stack';
import type { ChaosTraffic } from './chaos-traffic';
import { measureRecovery } from './recovery';
import type { ScenarioAuditor } from './scenario-audit';
import { waitFor } from './waits';

export interface RunnerDeps {
  stack: ChaosStack;
  traffic: ChaosTraffic;
  auditor: ScenarioAuditor;
  config: ChaosConfig;
  log(line: string): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One scenario from start to verdict: traffic on, the fault, the rest of the scenario's share of the
 * events, traffic off, drain (outbox empty, view at the high watermark), then the audit.
 */
export async function runScenario(
  scenario: Scenario,
  budget: number,
  unaudited: LedgerSegment[],
  { stack, traffic, auditor, config, log }: RunnerDeps,
): Promise<ScenarioResult> {
  await stack.heal(config.recoveryTimeoutMs);
  const segment = traffic.ledger.begin(scenario.name);
  const segments = [...unaudited, segment];
  const [{ p: before }] = await stack.db.query(
    'SELECT coalesce(max(global_position), 0)::text AS p FROM events',
  );
  const started = performance.now();
  const stopAt = started + config.scenarioMaxMs;
  const violations: Record<string, number> = {};
  log(`scenario ${scenario.name}: ${scenario.title} (${budget} events)`);

  const context: ScenarioContext = {
    stack,
    traffic,
    config,
    log: (line) => log(`  ${line}`),
    async progress(share) {
      const target = Math.ceil(share * budget);
      await waitFor(
        `${target} acknowledged operations`,
        async () => segment.categories.acked >= target,
        Math.max(0, stopAt - performance.now()),
        100,
      ).catch(() => log(`  ${target} acknowledged operations not reached within CHAOS_SCENARIO_MAX_SECONDS`));
    },
    recover: (since) => measureRecovery(stack, since, config.recoveryTimeoutMs),
  };

  traffic.start();
  let outcome: ScenarioOutcome | undefined;
  try {
    outcome = await scenario.run(context);
    await context.progress(1);
  } catch (error) {
    log(`  the scenario failed: ${message(error)}`);
    violations['other.scenarioFailed'] = 1;
  }
  await traffic.stop();
  const trafficS = (performance.now() - started) / 1000;
  const recovery = outcome?.recovery;
  log(
    `  traffic stopped after ${trafficS.toFixed(1)} s: ${segment.categories.acked} acknowledged; ready after ${
      recovery?.readyAfterS ?? '–'
    } s, view caught up after ${recovery?.caughtUpAfterS ?? '–'} s`,
  );

  const crashed = stack.crashed();
  if (crashed.length) log(`  ended on their own: ${crashed.join(', ')}`);
  try {
    await stack.drain(config.recoveryTimeoutMs);
  } catch (error) {
    log(`  drain: ${message(error)}`);
    violations['other.drainTimeout'] = 1;
  }
  let audit;
  try {
    audit = await auditor.audit(segments, config.recoveryTimeoutMs);
  } catch (error) {
    log(`  audit: ${message(error)}`);
    violations['other.auditFailed'] = 1;
  }
  const [{ n: events }] = await stack.db.query(
    'SELECT count(*)::int AS n FROM events WHERE global_position > $1',
    [before],
  );
  unaudited.length = 0;

  return {
    name: scenario.name,
    title: scenario.title,
    events: Number(events),
    ackedOps: segment.categories.acked,
    breakdown: {
      ...audit?.breakdown,
      ...outcome?.violations,
      ...violations,
      'other.notRecovered': recovery?.timeouts.length ?? 0,
      'other.crashed': crashed.length,
    },
    unavailable: audit?.unavailable ?? 0,
    readyAfterS: recovery?.readyAfterS ?? null,
    caughtUpAfterS: recovery?.caughtUpAfterS ?? null,
    durationS: Math.round((performance.now() - started) / 100) / 10,
    ...(outcome?.rotation ? { rotation: outcome.rotation } : {}),
    details: {
      trafficS: Math.round(trafficS * 10) / 10,
      eventsPerS: Math.round(Number(events) / trafficS),
      ...outcome?.details,
      recoveryTimeouts: recovery?.timeouts ?? [],
      crashed,
      ...audit?.details,
    },
  };
}
