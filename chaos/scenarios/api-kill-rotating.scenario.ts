import { RotatingFamilies } from '../lib/rotating-families';
import { sleep, waitFor } from '../lib/waits';
import type { Scenario } from './scenario';

/** Connections refused right after the restart's readiness (stale sockets) are still the fault's. */
const GRACE_MS = 500;
/** Rotations per family (on average) before the kill, and again after the recovery. */
const ROTATIONS_PER_PHASE = 10;

/**
 * kill -9 of the api while clients of a rotating refresh-token policy (issue 13) exchange their tokens,
 * then a restart. Each client drives one family: it exchanges its current token in a loop and, when the
 * kill takes the answer, sends the same token again (a network retry the leeway must absorb). Proves,
 * per family, from the event store: not lost (the last token received still exchanges after recovery;
 * every token received was durably issued), not forked (versions contiguous, the keyed hash chain
 * intact, every rotation of a token of the family, at most one rotation of a token used further —
 * sibling rotations only for tokens the client sent again), not revoked by mistake (no
 * RefreshTokenReused, TokenRevoked or TokenExpired). The background traffic runs as in every scenario.
 */
export const apiKillRotating: Scenario = {
  name: 'api-kill-rotating',
  title: 'kill -9 of the api during refresh-token rotations, restart',
  weight: 0.5,
  async run({ stack, traffic, config, log, progress, recover }) {
    const families = new RotatingFamilies(stack, traffic, config);
    try {
      await families.setUp();
      log(
        `${families.families.length} rotating families (leeway ${config.rotationLeewayS} s), ` +
          'each exchanged in a loop by its client',
      );
      families.start();
      await progress(0.4);
      // However small the budget, the families are well into their rotations when the api dies (and
      // again after it is back).
      const rotations = ROTATIONS_PER_PHASE * families.families.length;
      const rotatedFurther = async (from: number) =>
        waitFor(
          `${rotations} rotations`,
          async () => families.rotated >= from + rotations,
          config.recoveryTimeoutMs,
        );
      await rotatedFurther(0);
      // Aim the kill at an append in flight (best effort: polled): the exchanges it commits are stored,
      // their answers lost — the clients retry tokens the store has already rotated.
      const midAppend = await waitFor('an append in flight', () => stack.appendInFlight(), 5_000, 2).then(
        () => true,
        () => false,
      );
      const rotatingInFlight = families.inFlight;
      const inFlight = traffic.inFlight;
      log(
        `kill -9 api (${midAppend ? 'an append in flight' : 'no append seen in flight'}, ` +
          `${rotatingInFlight} rotations and ${inFlight} other requests in flight)`,
      );
      traffic.apiDown = true;
      await stack.killApi();
      await sleep(1_000);
      const since = performance.now();
      stack.startApi();
      const recovery = await recover(since);
      await sleep(GRACE_MS);
      traffic.apiDown = false;
      await rotatedFurther(families.rotated);
      await progress(1);
      await families.stop();
      const refusedDuringTraffic = families.refused.length;
      const pendingAtStop = families.pending;
      const after = await families.exchangeAfterRecovery();
      const audit = await families.audit();
      log(
        `families: ${after.usable}/${families.families.length} usable after recovery, ${audit.rotations} rotations, ` +
          `${audit.siblingRotations} sibling rotations from ${families.retries} retries`,
      );
      return {
        recovery,
        violations: {
          ...audit.breakdown,
          'lost.familyUnusable': after.unusable,
          'lost.notRotated': families.notRotated,
        },
        rotation: {
          families: families.families.length,
          rotations: audit.rotations,
          siblingRotations: audit.siblingRotations,
          retries: families.retries,
        },
        details: {
          leewayS: config.rotationLeewayS,
          midAppend,
          rotatingInFlightAtKill: rotatingInFlight,
          inFlightAtKill: inFlight,
          familiesRefusedDuringTraffic: refusedDuringTraffic,
          retriesPendingAtStop: pendingAtStop,
          longestRetryS: Math.round(families.longestRetryMs / 100) / 10,
          unheldTokens: audit.unheldTokens,
          rotationSamples: audit.samples,
        },
      };
    } finally {
      await families.stop();
      families.close();
    }
  },
};
