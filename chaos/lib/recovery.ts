import type { ChaosStack } from './chaos-stack';
import { waitFor, WaitTimeout } from './waits';

export interface Recovery {
  /** Seconds until every process answered `/health/ready` with 200; null if it never did in time. */
  readyAfterS: number | null;
  /** Seconds until the view held every event committed before the fault ended; null if never in time. */
  caughtUpAfterS: number | null;
  /** What did not recover within the timeout. */
  timeouts: string[];
}

const seconds = (from: number) => Math.round((performance.now() - from) / 100) / 10;

/**
 * Measures recovery from `since` (the moment the fault ended: the restart command, or a member's
 * departure) while the traffic goes on. "Caught up" cannot be "checkpoint = high watermark" under
 * continuous traffic, which moves the mark all the time; it is: every outbox row older than `since` is
 * published, and the checkpoints have reached the high watermarks read right after that — so every
 * event committed before the fault ended is in the view.
 */
export async function measureRecovery(
  stack: ChaosStack,
  since: number,
  timeoutMs: number,
): Promise<Recovery> {
  const sinceWall = new Date(Date.now() - (performance.now() - since));
  const timeouts: string[] = [];
  const ready = waitFor('ready', () => stack.ready(), timeoutMs, 100).then(
    () => seconds(since),
    (error: unknown) => {
      timeouts.push(error instanceof WaitTimeout ? error.message : String(error));
      return null;
    },
  );
  const caughtUp = (async () => {
    const end = since + timeoutMs;
    const left = () => Math.max(1, end - performance.now());
    await waitFor(
      'outbox rows older than the end of the fault published',
      async () =>
        Number(
          (
            await stack.db.query('SELECT count(*)::int AS n FROM outbox WHERE created_at < $1', [
              sinceWall.toISOString(),
            ])
          )[0].n,
        ) === 0,
      left(),
      100,
    );
    const marks = await waitFor('high watermarks', () => stack.highWatermarks(), left(), 100);
    await waitFor(
      'the view at those high watermarks',
      async () => {
        const done = await stack.checkpoints();
        return marks.every((high, p) => (done[p] ?? 0n) >= high);
      },
      left(),
      100,
    );
    return seconds(since);
  })().catch((error: unknown) => {
    timeouts.push(error instanceof WaitTimeout ? error.message : String(error));
    return null;
  });
  const [readyAfterS, caughtUpAfterS] = await Promise.all([ready, caughtUp]);
  return { readyAfterS, caughtUpAfterS, timeouts };
}
