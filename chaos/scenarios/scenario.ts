import type { ChaosConfig } from '../lib/chaos-config';
import type { ChaosStack } from '../lib/chaos-stack';
import type { ChaosTraffic } from '../lib/chaos-traffic';
import type { Recovery } from '../lib/recovery';
import type { RotationCounts } from '../lib/scenario-result';

/** What a scenario gets: the system, the running traffic, and the run's settings. */
export interface ScenarioContext {
  stack: ChaosStack;
  traffic: ChaosTraffic;
  config: ChaosConfig;
  log(line: string): void;
  /** Waits, traffic running, until the scenario's acknowledged operations reach `share` of its budget. */
  progress(share: number): Promise<void>;
  /** Measures recovery from `since` (performance.now() when the fault ended). */
  recover(since: number): Promise<Recovery>;
}

export interface ScenarioOutcome {
  recovery: Recovery;
  details: Record<string, unknown>;
  /** Violations only the scenario can see (`<column>.<what>`), added to the checks'. */
  violations?: Record<string, number>;
  /** What it did with rotating refresh-token families, if it drove any. */
  rotation?: RotationCounts;
}

/** One fault injected under traffic. */
export interface Scenario {
  /** Short name: the table's row, `CHAOS_SCENARIOS` selects by it. */
  name: string;
  /** What is done, in a few words. */
  title: string;
  /** Its share of `CHAOS_EVENTS` relative to the others' (1 when not set). */
  weight?: number;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}
