import type { DataSource } from 'typeorm';

const PAGE = 20_000;

interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  jti: string | null;
  user_id: string | null;
  client_id: string | null;
  device_name: string | null;
}

export interface StoreRead {
  /** Events appended since the previous read. */
  events: number;
  newIds: string[];
  /** New events whose (stream, version) the store already held. */
  duplicateStreamVersions: number;
  /** New `IdTokenDelegated` whose id_token `jti` the store already held. */
  duplicateJtis: number;
}

export const issuedKey = (userId: string, clientId: string, device: string) =>
  `${userId}|${clientId}|${device}`;

/**
 * What the event store holds, read incrementally by position after each drained scenario (no write is
 * in flight then, so no earlier position can still commit): event ids, jtis, issued and revoked
 * credentials, and each stream's `IdTokenDelegated` count.
 */
export class StoreAudit {
  readonly ids = new Set<string>();
  readonly jtis = new Set<string>();
  /** TokenIssued by user|client|device → credential id. */
  readonly issued = new Map<string, string>();
  readonly revoked = new Set<string>();
  readonly delegations = new Map<string, number>();
  private readonly streamVersions = new Set<string>();
  private position = 0n;

  constructor(private readonly db: DataSource) {}

  async readNew(): Promise<StoreRead> {
    const read: StoreRead = { events: 0, newIds: [], duplicateStreamVersions: 0, duplicateJtis: 0 };
    for (;;) {
      const rows: EventRow[] = await this.db.query(
        `SELECT global_position, event_id, stream_id, stream_version, type,
                data->>'id_token_jti' AS jti, data->>'user_id' AS user_id,
                data->>'client_id' AS client_id, data->>'device_name' AS device_name
         FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
        [this.position.toString(), PAGE],
      );
      for (const row of rows) this.add(row, read);
      if (rows.length < PAGE) return read;
    }
  }

  private add(row: EventRow, read: StoreRead): void {
    this.position = BigInt(row.global_position);
    read.events++;
    read.newIds.push(row.event_id);
    this.ids.add(row.event_id);
    const key = `${row.stream_id}#${row.stream_version}`;
    if (this.streamVersions.has(key)) read.duplicateStreamVersions++;
    this.streamVersions.add(key);
    switch (row.type) {
      case 'TokenIssued':
        this.issued.set(
          issuedKey(row.user_id ?? '', row.client_id ?? '', row.device_name ?? ''),
          row.stream_id,
        );
        break;
      case 'TokenRevoked':
        this.revoked.add(row.stream_id);
        break;
      case 'IdTokenDelegated':
        if (row.jti && this.jtis.has(row.jti)) read.duplicateJtis++;
        if (row.jti) this.jtis.add(row.jti);
        this.delegations.set(row.stream_id, (this.delegations.get(row.stream_id) ?? 0) + 1);
        break;
    }
  }

  /** The store's position now (events appended later have a higher one). */
  async head(): Promise<bigint> {
    const [row] = await this.db.query('SELECT coalesce(max(global_position), 0)::text AS p FROM events');
    return BigInt(row.p);
  }

  /**
   * Credential ids whose view row counts more delegations than the store holds (an event applied
   * twice) and those counting fewer, or missing from the view (an event not applied).
   */
  async viewCountMismatches(): Promise<{ appliedTwice: string[]; notApplied: string[] }> {
    const rows: { id: string; delegation_count: number }[] = await this.db.query(
      'SELECT id, delegation_count FROM device_credentials',
    );
    const inView = new Set(rows.map((r) => r.id));
    const appliedTwice: string[] = [];
    const notApplied: string[] = [];
    for (const r of rows) {
      const stored = this.delegations.get(r.id) ?? 0;
      if (Number(r.delegation_count) > stored) appliedTwice.push(r.id);
      if (Number(r.delegation_count) < stored) notApplied.push(r.id);
    }
    for (const id of this.issued.values()) if (!inView.has(id)) notApplied.push(id);
    return { appliedTwice, notApplied };
  }
}
