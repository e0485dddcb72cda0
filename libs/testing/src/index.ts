export { browserLogin } from './browser-login';
export { CapturedOutput, runCaptured } from './captured-command';
export { CHROMIUM, launchChromium } from './chromium';
export { APP_ENTRIES, freePort, spawnApp, waitForHealth, type AppProcess } from './app-process';
export { deciderSpec } from './given-when-then';
export {
  revokeUnderLoad,
  type RevokeUnderLoadOptions,
  type RevokeUnderLoadResult,
} from './revoke-under-load';
export { createHttpTestApp, createTestStack, SILENT, type HttpTestApp, type TestStack } from './stack';
export { MANAGEMENT, startSystem, TenantClient, type RunningSystem } from './system';
export { appRoleUrls, createTestDatabase, testServerUrl, type TestDatabase } from './test-database';
export { DedicatedKafkaBroker } from './kafka-broker';
export { insertStoredEvents } from './stored-events';
export { deleteTopics, eventually, testBrokers, testKafka, uniqueName } from './test-kafka';
export {
  ChaosLedger,
  classifyOutcome,
  columnCounts,
  jwtPayload,
  passed,
  resultsTable,
  totalOf,
  VIOLATION_COLUMNS,
  violationsOf,
  type Category,
  type IssuedAck,
  type LedgerSegment,
  type Operation,
  type Outcome,
  type ScenarioResult,
  type ViolationColumn,
} from './chaos';
