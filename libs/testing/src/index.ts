export { APP_ENTRIES, freePort, spawnApp, waitForHealth, type AppProcess } from './app-process';
export { deciderSpec } from './given-when-then';
export { createTestDatabase, testServerUrl, type TestDatabase } from './test-database';
export { deleteTopics, eventually, testBrokers, testKafka, uniqueName } from './test-kafka';
