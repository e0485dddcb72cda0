import { sleep } from '../lib/waits';
import type { Scenario } from './scenario';

/** Connections refused right after the restart's readiness (stale sockets) are still the fault's. */
const GRACE_MS = 500;

/**
 * kill -9 of the api with requests in flight (the outbox relay runs inside it), then a restart. Proves
 * "a response means durable" (every acknowledged operation is in the store) and the outbox: events
 * committed but not yet published when it died are published by the restarted relay; a batch the
 * broker had acknowledged but the dead relay had not deleted is republished (at least once), which
 * the view's version check absorbs.
 */
export const apiKill: Scenario = {
  name: 'api-kill',
  title: 'kill -9 of the api with requests in flight, restart',
  async run({ stack, traffic, log, progress, recover }) {
    await progress(0.4);
    const [outboxAtKill, inFlight] = [await stack.outboxRows().catch(() => null), traffic.inFlight];
    log(`kill -9 api (${inFlight} requests in flight, ${outboxAtKill ?? '?'} outbox rows)`);
    traffic.apiDown = true;
    await stack.killApi();
    await sleep(1_000);
    const since = performance.now();
    stack.startApi();
    const recovery = await recover(since);
    await sleep(GRACE_MS);
    traffic.apiDown = false;
    return { recovery, details: { inFlightAtKill: inFlight, outboxAtKill } };
  },
};
