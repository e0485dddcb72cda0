import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Ending } from './deny-list';

// The deny-list and its position are saved in one file so they cannot disagree: after a restart the
// consumer resumes exactly where its deny-list ends, whatever offsets its consumer group committed.

/** What the consumer saves: its deny-list and, per topic and partition, the next offset to read. */
export interface ConsumerState {
  /** The ended credentials: revoked ones, and expired ones (those with `expired_at`). */
  revoked: Ending[];
  positions: Record<string, Record<string, string>>;
}

/** Why a deny-list file could not be used. */
export class StateFileError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}; delete the file to rebuild the deny-list from the topic`);
    this.name = 'StateFileError';
  }
}

/** Reads a saved state; `undefined` when the file does not exist yet. */
export async function loadState(path: string): Promise<ConsumerState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StateFileError(path, 'not JSON');
  }
  const state = parsed as Partial<ConsumerState> | null;
  const valid =
    typeof state === 'object' &&
    state !== null &&
    Array.isArray(state.revoked) &&
    state.revoked.every((r) => typeof r?.credential_id === 'string' && typeof r?.event_id === 'string') &&
    typeof state.positions === 'object' &&
    state.positions !== null;
  // Refused rather than ignored: a silently emptied deny-list would let revoked tokens through.
  if (!valid) throw new StateFileError(path, 'not a deny-list file');
  return state as ConsumerState;
}

/** Saves the state atomically: a crash mid-write leaves the previous file intact. */
export async function saveState(path: string, state: ConsumerState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, path);
}
