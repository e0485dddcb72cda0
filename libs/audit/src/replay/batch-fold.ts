import type { EventEnvelope } from '@libs/domain';
import { evolveDeviceCredential, type DeviceCredentialRow } from '@libs/projections';

/**
 * Folds one Kafka batch in memory with the live projector's own `evolveDeviceCredential`, starting
 * from the rows already replayed (`current` finds a credential's row; undefined when it has none).
 * Returns each changed credential once, in its final state: a credential's many events in a batch
 * become one row to write. `events` may be a lazy decoder: each envelope is dropped once folded.
 */
export function foldBatch(
  current: (id: string) => DeviceCredentialRow | undefined,
  events: Iterable<EventEnvelope>,
): DeviceCredentialRow[] {
  const before = new Map<string, DeviceCredentialRow | null>();
  const after = new Map<string, DeviceCredentialRow | null>();
  for (const event of events) {
    const id = event.stream_id;
    let row: DeviceCredentialRow | null;
    if (after.has(id)) {
      row = after.get(id)!;
    } else {
      row = current(id) ?? null;
      before.set(id, row);
    }
    after.set(id, evolveDeviceCredential(row, event));
  }
  const changed: DeviceCredentialRow[] = [];
  for (const [id, row] of after) if (row && row !== before.get(id)) changed.push(row);
  return changed;
}
