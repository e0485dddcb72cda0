import { eventually } from '@libs/testing';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A wait that gave up: the chaos run counts it as a violation rather than waiting forever. */
export class WaitTimeout extends Error {
  constructor(what: string, ms: number, detail?: string) {
    super(`${what}: not within ${(ms / 1000).toFixed(0)} s${detail ? ` (${detail})` : ''}`);
    this.name = 'WaitTimeout';
  }
}

/** Polls `probe` until it returns a truthy value; a probe that throws is retried (its dependency may be down). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | false | null | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  try {
    return (await eventually(probe, timeoutMs, intervalMs)) as T;
  } catch (error) {
    throw new WaitTimeout(what, timeoutMs, (error as Error).message);
  }
}

/** `promise`, or a WaitTimeout after `ms` (the promise itself is left to settle on its own). */
export async function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeout(what, ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
