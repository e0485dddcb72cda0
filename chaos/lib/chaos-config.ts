/** The run's knobs, read from the environment once (this file is the chaos tool's only reader). */
export interface ChaosConfig {
  /** Events to append over the whole run, shared by the scenarios in proportion to their weight. */
  events: number;
  /** Scenario names to run (all when empty). */
  only: string[];
  /** Concurrent delegation loops. */
  concurrency: number;
  /** Refresh tokens issued before the first scenario. */
  initialTokens: number;
  users: number;
  /** Pause between two password grants of the issuance loop (each costs the api a scrypt check). */
  issueIntervalMs: number;
  /** Pause between two revocations. */
  revokeIntervalMs: number;
  /** A request without a complete answer after this long counts as a hang. */
  requestTimeoutMs: number;
  /** How long each fault lasts (the component stays down this long under traffic). */
  outageMs: number;
  /** Every wait for recovery or drain gives up after this long (and counts as a violation). */
  recoveryTimeoutMs: number;
  /** A scenario stops its traffic after this long even if its share of the events is not reached. */
  scenarioMaxMs: number;
  /** The whole run, setup and teardown included, is aborted after this long. */
  deadlineMs: number;
  partitions: number;
  /** Signal the second projector leaves the group with in the rebalance scenario. */
  rebalanceLeave: 'SIGKILL' | 'SIGTERM';
  /** Rotating refresh-token families of the api-kill-rotating scenario (one client loop each). */
  rotatingFamilies: number;
  /** Their client's retry leeway in seconds (0: every retry of a retired token is a reuse). */
  rotationLeewayS: number;
  resultsFile: string;
  /** Where each app's output is written at the end of the run. */
  logsDir: string;
  /** Build the apps when dist/ is older than the sources (CHAOS_BUILD=0: run dist/ as it is). */
  build: boolean;
  /** Keep the temporary folders (PostgreSQL data, logs) for a post-mortem. */
  keep: boolean;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name}="${raw}": must be an integer ≥ ${min}`);
  return value;
}

export function chaosConfig(env: NodeJS.ProcessEnv = process.env): ChaosConfig {
  const leave = env.CHAOS_REBALANCE_LEAVE ?? 'SIGKILL';
  if (leave !== 'SIGKILL' && leave !== 'SIGTERM') {
    throw new Error(`CHAOS_REBALANCE_LEAVE="${leave}": must be SIGKILL or SIGTERM`);
  }
  return {
    events: integer(env, 'CHAOS_EVENTS', 110_000, 100),
    only: (env.CHAOS_SCENARIOS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    concurrency: integer(env, 'CHAOS_CONCURRENCY', 24),
    initialTokens: integer(env, 'CHAOS_TOKENS', 64),
    users: integer(env, 'CHAOS_USERS', 8),
    issueIntervalMs: integer(env, 'CHAOS_ISSUE_INTERVAL_MS', 400, 0),
    revokeIntervalMs: integer(env, 'CHAOS_REVOKE_INTERVAL_MS', 400, 0),
    requestTimeoutMs: integer(env, 'CHAOS_REQUEST_TIMEOUT_MS', 10_000),
    outageMs: integer(env, 'CHAOS_OUTAGE_MS', 4_000, 0),
    recoveryTimeoutMs: integer(env, 'CHAOS_RECOVERY_TIMEOUT_MS', 90_000),
    scenarioMaxMs: integer(env, 'CHAOS_SCENARIO_MAX_SECONDS', 180) * 1000,
    deadlineMs: integer(env, 'CHAOS_DEADLINE_SECONDS', 1_200) * 1000,
    partitions: integer(env, 'CHAOS_PARTITIONS', 3, 2),
    rebalanceLeave: leave,
    rotatingFamilies: integer(env, 'CHAOS_ROTATING_FAMILIES', 16),
    rotationLeewayS: integer(env, 'CHAOS_ROTATION_LEEWAY', 10, 0),
    resultsFile: env.CHAOS_RESULTS ?? '.data/chaos-results.json',
    logsDir: env.CHAOS_LOGS ?? '.data/chaos-logs',
    build: env.CHAOS_BUILD !== '0',
    keep: env.CHAOS_KEEP === '1',
  };
}
