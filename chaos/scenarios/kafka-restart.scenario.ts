import { sleep } from '../lib/waits';
import type { Scenario } from './scenario';

/**
 * The broker stopped and started again under traffic. Proves that Kafka is not on the request path
 * (issuing, delegating and revoking go on; revocation is enforced from the store) and that the outbox
 * holds every event until the broker is back: nothing lost, the projector resumes where it was.
 */
export const kafkaRestart: Scenario = {
  name: 'kafka-restart',
  title: 'Kafka stopped and restarted',
  async run({ stack, config, log, progress, recover }) {
    await progress(0.4);
    log('stopping the Kafka broker');
    const stopping = performance.now();
    await stack.broker.stop();
    const stopMs = Math.round(performance.now() - stopping);
    await sleep(config.outageMs);
    const since = performance.now();
    log('starting the Kafka broker');
    await stack.broker.start();
    const startMs = Math.round(performance.now() - since);
    const recovery = await recover(since);
    return { recovery, details: { stopMs, downMs: config.outageMs, brokerStartMs: startMs } };
  },
};
