import { apiKill } from './api-kill.scenario';
import { apiKillRotating } from './api-kill-rotating.scenario';
import { kafkaRestart } from './kafka-restart.scenario';
import { postgresRestart } from './postgres-restart.scenario';
import { projectorKill } from './projector-kill.scenario';
import { projectorRebalance } from './projector-rebalance.scenario';
import type { Scenario } from './scenario';

export type { Scenario, ScenarioContext, ScenarioOutcome } from './scenario';

/** Every scenario, in the order the run executes them. */
export const SCENARIOS: readonly Scenario[] = [
  projectorKill,
  apiKill,
  apiKillRotating,
  kafkaRestart,
  postgresRestart,
  projectorRebalance,
];
