import type { EventEnvelope } from '@libs/domain';

/** One row of the device-credential view (table `device_credentials`). */
export interface DeviceCredentialRow {
  id: string;
  user_id: string;
  client_id: string;
  device_name: string;
  type: 'refresh_token';
  token_hash: string;
  scope: string;
  grant_type: string;
  status: 'active' | 'revoked';
  created_at: string;
  last_used_at: string | null;
  delegation_count: number;
  revoked_at: string | null;
  revoke_reason: string | null;
  /** The stream version this row reflects; an event at or below it was applied already. */
  version: number;
}

/**
 * The view's pure fold: the row after `event`. Idempotent by stream version, so an event delivered
 * twice (at-least-once publishing, a redelivered batch) changes nothing the second time.
 */
export function evolveDeviceCredential(
  row: DeviceCredentialRow | null,
  event: EventEnvelope,
): DeviceCredentialRow | null {
  if (row && event.stream_version <= row.version) return row;
  switch (event.type) {
    case 'TokenIssued': {
      const d = event.data;
      return {
        id: event.stream_id,
        user_id: d.user_id,
        client_id: d.client_id,
        device_name: d.device_name,
        type: 'refresh_token',
        token_hash: d.token_hash,
        scope: d.scope,
        grant_type: d.grant,
        status: 'active',
        created_at: d.issued_at,
        last_used_at: null,
        delegation_count: 0,
        revoked_at: null,
        revoke_reason: null,
        version: event.stream_version,
      };
    }
    case 'TokenRevoked':
      if (!row) return null;
      return {
        ...row,
        status: 'revoked',
        revoked_at: event.data.revoked_at,
        revoke_reason: event.data.reason,
        version: event.stream_version,
      };
    case 'IdTokenDelegated':
      if (!row) return null;
      return {
        ...row,
        last_used_at: event.data.delegated_at,
        delegation_count: row.delegation_count + 1,
        version: event.stream_version,
      };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
