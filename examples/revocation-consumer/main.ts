/**
 * Entry point of the example revocation consumer: `npm run example:revocation-consumer`.
 * Exit codes: 0 after SIGINT/SIGTERM, 78 for a bad setting, 1 when it cannot run or stops by itself.
 */
import { ConfigError, configFromEnv, type ConsumerConfig } from './config';
import { startRevocationConsumer } from './consumer';
import { jsonLines } from './log';

const EX_CONFIG = 78;

async function main(): Promise<number> {
  let config: ConsumerConfig;
  try {
    config = configFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    jsonLines({ level: 'error', msg: 'bad configuration', error: error.message });
    return EX_CONFIG;
  }

  const consumer = await startRevocationConsumer(config);
  const onSignal = (signal: NodeJS.Signals) => {
    jsonLines({ level: 'info', msg: 'stopping', signal });
    void consumer.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await consumer.stopped;
    return 0;
  } catch {
    // The consumer has logged why it stopped.
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    jsonLines({
      level: 'error',
      msg: 'cannot run',
      error: error instanceof Error ? error.message : String(error),
    });
    process.exitCode = 1;
  },
);
