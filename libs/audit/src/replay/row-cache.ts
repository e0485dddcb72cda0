import type { DeviceCredentialRow } from '@libs/projections';

/**
 * The most recently replayed rows, about `capacity` of them: a credential's events sit close together
 * in the log (a device delegates again soon after), so the next batch mostly finds its rows here
 * instead of reading them back. Two generations (a row used in the current one is kept, the older
 * one is dropped whole when the current fills) give LRU-like eviction at the cost of plain Map
 * look-ups. Bounded, so memory stays flat however many credentials the log holds. Only the replay
 * writes its table, so a cached row is the stored one.
 */
export class RowCache {
  private current = new Map<string, DeviceCredentialRow>();
  private previous = new Map<string, DeviceCredentialRow>();

  constructor(private readonly capacity: number) {}

  get(id: string): DeviceCredentialRow | undefined {
    const row = this.current.get(id);
    if (row !== undefined) return row;
    const old = this.previous.get(id);
    if (old !== undefined) this.set(id, old);
    return old;
  }

  set(id: string, row: DeviceCredentialRow): void {
    this.current.set(id, row);
    if (this.current.size >= this.capacity / 2) {
      this.previous = this.current;
      this.current = new Map();
    }
  }
}
