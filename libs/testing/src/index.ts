export { browserLogin } from './browser-login';
export { CapturedOutput, runCaptured } from './captured-command';
export { CHROMIUM, launchChromium } from './chromium';
export {
  APP_ENTRIES,
  APP_NODE_FLAGS,
  freePort,
  spawnApp,
  waitForHealth,
  type AppProcess,
} from './app-process';
export { credentialCommands } from './credential-commands';
export { deciderSpec, viewSpec } from './given-when-then';
export { envelopesOf, idTokenDelegated, tokenIssued, tokenRevoked } from './credential-events';
export { InMemoryEventStore } from './in-memory-event-store';
export {
  revokeUnderLoad,
  type RevokeUnderLoadOptions,
  type RevokeUnderLoadResult,
} from './revoke-under-load';
export { createHttpTestApp, createTestStack, SILENT, type HttpTestApp, type TestStack } from './stack';
export { MANAGEMENT, startSystem, TenantClient, type RunningSystem } from './system';
export { appRoleUrls, createTestDatabase, testServerUrl, type TestDatabase } from './test-database';
export { MANAGEMENT_API, managementErrorBody, useManagementApi, type ManagementApi } from './management-api';
export { DedicatedKafkaBroker } from './kafka-broker';
export { insertStoredEvents, markRelayed } from './stored-events';
export { deleteTopics, eventually, testBrokers, testKafka, uniqueName } from './test-kafka';
export { DedicatedRedis, uniqueLimitsPrefix } from './test-redis';
export { startCluster, type ApiReplica, type RunningCluster } from './cluster';
