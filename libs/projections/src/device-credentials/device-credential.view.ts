import { retirementAfter, type EventEnvelope } from '@libs/domain';

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
  status: 'active' | 'revoked' | 'expired';
  created_at: string;
  last_used_at: string | null;
  delegation_count: number;
  revoked_at: string | null;
  revoke_reason: string | null;
  /** The family's terms (TokenIssued): whether it rotates, its leeway, its absolute end, its idle lifetime. */
  rotating: boolean;
  leeway: number;
  expires_at: string | null;
  /** Seconds. */
  idle_lifetime: number | null;
  /** The last rotation, and how many there were (`token_hash` is the family's newest token). */
  rotated_at: string | null;
  rotation_count: number;
  /**
   * The family's immediately previous token, when it was first retired, and how many times it was
   * exchanged again since (retries within the leeway): with `token_hash`, all the decider's rotation
   * rules need, so the row is a snapshot to decide on (issue 19 finding 1).
   */
  previous_token_hash: string | null;
  previous_retired_at: string | null;
  retry_count: number;
  /** When the token's lifetime ran out (once an exchange observed it: `status = 'expired'`). */
  expired_at: string | null;
  /** DPoP key thumbprint the family is bound to. */
  jkt: string | null;
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
        rotating: d.terms.rotating,
        leeway: d.terms.leeway,
        expires_at: d.terms.expires_at,
        idle_lifetime: d.terms.idle_lifetime,
        rotated_at: null,
        rotation_count: 0,
        previous_token_hash: null,
        previous_retired_at: null,
        retry_count: 0,
        expired_at: null,
        jkt: d.jkt,
        version: event.stream_version,
      };
    }
    case 'TokenRotated': {
      if (!row) return null;
      const before =
        row.previous_token_hash === null || row.previous_retired_at === null
          ? { previous: null, retries: 0 }
          : {
              previous: { hash: row.previous_token_hash, retiredAt: row.previous_retired_at },
              retries: row.retry_count,
            };
      const { previous, retries } = retirementAfter(before, event.data);
      return {
        ...row,
        token_hash: event.data.token_hash,
        rotated_at: event.data.rotated_at,
        rotation_count: row.rotation_count + 1,
        previous_token_hash: previous.hash,
        previous_retired_at: previous.retiredAt,
        retry_count: retries,
        version: event.stream_version,
      };
    }
    case 'TokenExpired':
      if (!row) return null;
      return { ...row, status: 'expired', expired_at: event.data.expired_at, version: event.stream_version };
    case 'RefreshTokenReused':
      return row && { ...row, version: event.stream_version };
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
        // An id_token renewed is no use of the refresh token (the decider's idle lifetime agrees).
        last_used_at: event.data.via === 'delegation_id_token' ? row.last_used_at : event.data.delegated_at,
        delegation_count: row.delegation_count + 1,
        version: event.stream_version,
      };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
