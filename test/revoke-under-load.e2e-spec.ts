import { eventTopic } from '@libs/messaging';
import {
  DedicatedKafkaBroker,
  deleteTopics,
  revokeUnderLoad,
  startSystem,
  testKafka,
  type RevokeUnderLoadResult,
  type RunningSystem,
} from '@libs/testing';

// Limits high enough that the load measures revocation, not the rate limiter.
const ENV = {
  DELEGATION_RATE_LIMIT_PER_MINUTE: '1000000',
  DELEGATION_FAILURE_LIMIT_PER_MINUTE: '1000000',
  LOG_LEVEL: 'warn',
};

function expectGuaranteeHeld(result: RevokeUnderLoadResult) {
  // Printed so CI logs carry the figures of each run.
  console.log(JSON.stringify({ ...result, revokeLatencies: undefined }));
  expect(result.revocations).toBe(100);
  expect(result.unexpected).toEqual({});
  expect(result.succeeded).toBeGreaterThan(0);
  expect(result.refused).toBeGreaterThan(0);
  expect(result.acceptedAfterRevoke).toBe(0);
}

/**
 * 50 clients delegate continuously with 200 refresh tokens while 100 of them are revoked at random
 * moments: no delegation that starts after its token's revocation returned may succeed — with the
 * projector running, with it stopped, and with Kafka stopped.
 */
describe('revocation under load (e2e)', () => {
  describe('normal operation', () => {
    let system: RunningSystem;
    beforeAll(async () => {
      system = await startSystem({ env: ENV });
    }, 120_000);
    afterAll(async () => {
      await system?.stop();
      if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
    }, 30_000);

    it('accepts no delegation after a revoke returned', async () => {
      expectGuaranteeHeld(await revokeUnderLoad(system));
    }, 300_000);
  });

  describe('projector stopped', () => {
    let system: RunningSystem;
    beforeAll(async () => {
      system = await startSystem({ env: ENV });
    }, 120_000);
    afterAll(async () => {
      await system?.stop();
      if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
    }, 30_000);

    it('accepts no delegation after a revoke returned, with the view frozen', async () => {
      await system.projector!.stop('SIGKILL');
      expectGuaranteeHeld(await revokeUnderLoad(system));
    }, 300_000);
  });

  describe('Kafka stopped', () => {
    let broker: DedicatedKafkaBroker;
    let system: RunningSystem;
    beforeAll(async () => {
      broker = await DedicatedKafkaBroker.create();
      system = await startSystem({ env: { ...ENV, KAFKA_BROKERS: broker.brokers } });
    }, 300_000);
    afterAll(async () => {
      await system?.stop();
      await broker?.destroy();
    }, 120_000);

    it('accepts no delegation after a revoke returned, with no broker at all', async () => {
      await broker.stop();
      expectGuaranteeHeld(await revokeUnderLoad(system));
    }, 300_000);
  });
});
