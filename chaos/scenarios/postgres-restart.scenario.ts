import { sleep } from '../lib/waits';
import type { Scenario } from './scenario';

/**
 * PostgreSQL crashed (`pg_ctl stop -m immediate`: no checkpoint, WAL replay at the next start) and
 * started again under traffic. Proves that an acknowledged operation was durable (fsync and
 * synchronous_commit on: it survives the crash), that the api answers 503 with Retry-After — never a
 * 500, never a hang — while the store is down, and that every process reconnects by itself.
 */
export const postgresRestart: Scenario = {
  name: 'postgres-restart',
  title: 'PostgreSQL crashed (immediate stop) and restarted',
  async run({ stack, config, log, progress, recover }) {
    await progress(0.4);
    log('stopping PostgreSQL (immediate)');
    await stack.pg.stop('immediate');
    await sleep(config.outageMs);
    const since = performance.now();
    log('starting PostgreSQL');
    await stack.pg.start();
    const startMs = Math.round(performance.now() - since);
    const recovery = await recover(since);
    return { recovery, details: { downMs: config.outageMs, serverStartMs: startMs } };
  },
};
