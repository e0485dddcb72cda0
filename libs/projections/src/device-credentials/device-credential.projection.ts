import type { EventEnvelope } from '@libs/domain';
import type { EntityManager } from 'typeorm';
import { evolveDeviceCredential, type DeviceCredentialRow } from './device-credential.view';

/** Every column the projection derives, in the table's order (`id` first). */
export const DEVICE_CREDENTIAL_COLUMNS = [
  'id',
  'user_id',
  'client_id',
  'device_name',
  'type',
  'token_hash',
  'scope',
  'grant_type',
  'status',
  'created_at',
  'last_used_at',
  'delegation_count',
  'revoked_at',
  'revoke_reason',
  'version',
  'rotating',
  'leeway',
  'expires_at',
  'idle_lifetime',
  'rotated_at',
  'rotation_count',
  'expired_at',
  'jkt',
  'previous_token_hash',
  'previous_retired_at',
  'retry_count',
] as const;

/** What a projection does with a batch of events inside the projector's transaction. */
export interface Projection {
  /** Names the projection's checkpoints. */
  readonly name: string;
  /** Applies events in order; must change nothing for an event it has applied before. */
  apply(tx: EntityManager, events: EventEnvelope[]): Promise<void>;
}

/**
 * Keeps `device_credentials` (or a table of the same shape, for replays) up to date: loads the rows the
 * batch touches, folds the events with `evolveDeviceCredential`, writes back the rows that changed.
 */
export class DeviceCredentialProjection implements Projection {
  constructor(
    readonly name = 'device-credentials',
    private readonly table = 'device_credentials',
  ) {}

  async apply(tx: EntityManager, events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    const ids = [...new Set(events.map((e) => e.stream_id))];
    const existing: DeviceCredentialRow[] = await tx.query(
      `SELECT ${DEVICE_CREDENTIAL_COLUMNS.join(', ')} FROM ${this.table} WHERE id = ANY($1::text[]) FOR UPDATE`,
      [ids],
    );
    const rows = new Map<string, DeviceCredentialRow | null>(existing.map((r) => [r.id, normalise(r)]));
    const changed = new Set<string>();
    for (const event of events) {
      const before = rows.get(event.stream_id) ?? null;
      const after = evolveDeviceCredential(before, event);
      if (after !== before && after) {
        rows.set(event.stream_id, after);
        changed.add(event.stream_id);
      }
    }
    if (changed.size === 0) return;
    const updates = DEVICE_CREDENTIAL_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    await tx.query(
      `INSERT INTO ${this.table} (${DEVICE_CREDENTIAL_COLUMNS.join(', ')})
       SELECT ${DEVICE_CREDENTIAL_COLUMNS.join(', ')} FROM jsonb_populate_recordset(NULL::${this.table}, $1::jsonb)
       ON CONFLICT (id) DO UPDATE SET ${updates}`,
      [JSON.stringify([...changed].map((id) => rows.get(id)))],
    );
  }
}

function normalise(row: DeviceCredentialRow): DeviceCredentialRow {
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return {
    ...row,
    created_at: iso(row.created_at)!,
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
    expires_at: iso(row.expires_at),
    rotated_at: iso(row.rotated_at),
    previous_retired_at: iso(row.previous_retired_at),
    retry_count: Number(row.retry_count),
    expired_at: iso(row.expired_at),
    rotation_count: Number(row.rotation_count),
    delegation_count: Number(row.delegation_count),
    version: Number(row.version),
  };
}
