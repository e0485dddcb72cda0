import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CredentialState } from '@libs/domain';
import { EventStore, type Snapshot } from '@libs/event-store';

export interface FoundCredential {
  credentialId: string;
  /** The projected view's state, when the projector has seen the credential. */
  snapshot?: Snapshot;
}

interface ViewRow {
  id: string;
  user_id: string;
  client_id: string;
  device_name: string;
  scope: string;
  status: 'active' | 'revoked';
  version: number;
}

/**
 * Finds the credential a refresh token belongs to: in the device-credential view first (the
 * projection the delegation path validates against), then in the event store for a token issued so
 * recently that the projector has not applied it yet. Either way the caller then reads the stream's
 * events newer than the view, so a revocation the projector has not applied still counts.
 */
@Injectable()
export class CredentialLookup {
  constructor(
    private readonly db: DataSource,
    private readonly store: EventStore,
  ) {}

  async byTokenHash(tokenHash: string): Promise<FoundCredential | null> {
    const [row]: ViewRow[] = await this.db.query(
      `SELECT id, user_id, client_id, device_name, scope, status, version
         FROM device_credentials WHERE token_hash = $1`,
      [tokenHash],
    );
    if (row) return { credentialId: row.id, snapshot: { state: stateOf(row), version: Number(row.version) } };
    const streamId = await this.store.findStreamByTokenHash(tokenHash);
    return streamId ? { credentialId: streamId } : null;
  }
}

function stateOf(row: ViewRow): CredentialState {
  return {
    status: row.status,
    credentialId: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    deviceName: row.device_name,
    scope: row.scope,
  };
}
