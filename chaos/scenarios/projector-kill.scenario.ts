import { sleep, waitFor } from '../lib/waits';
import type { Scenario } from './scenario';

/**
 * kill -9 of the projector while it applies events, then a restart. Proves the checkpoint stored in the
 * view's own transaction: the batch that was in flight is either wholly applied or not at all, and the
 * restarted member resumes from the checkpoint (nothing skipped, nothing applied twice).
 */
export const projectorKill: Scenario = {
  name: 'projector-kill',
  title: 'kill -9 of the projector mid-batch, restart',
  async run({ stack, traffic, config, log, progress, recover }) {
    await progress(0.4);
    const lagAtKill = await stack.lag().catch(() => null);
    // Aim the kill at an open batch transaction (best effort: polled, so the batch may just have ended).
    const midBatch = await waitFor('a batch in flight', () => stack.projectorInTransaction(), 5_000, 2).then(
      () => true,
      () => false,
    );
    const inFlight = traffic.inFlight;
    await stack.stopProjector('projector-1', 'SIGKILL');
    log(
      `kill -9 projector-1 (${midBatch ? 'batch transaction open' : 'no batch seen in flight'}, ` +
        `lag ${lagAtKill ?? '?'} messages, ${inFlight} requests in flight)`,
    );
    await sleep(config.outageMs);
    const since = performance.now();
    stack.startProjector('projector-1');
    const recovery = await recover(since);
    return {
      recovery,
      details: { midBatch, lagAtKill: lagAtKill?.toString() ?? null, downMs: config.outageMs },
    };
  },
};
