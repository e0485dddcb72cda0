import {
  LEGACY_TERMS,
  SCHEMA_VERSIONS,
  type CredentialEvent,
  type EventEnvelope,
  type IdTokenDelegated,
  type TokenIssued,
  type TokenRevoked,
} from '@libs/domain';

const AT = '2026-11-25T10:00:00.000Z';

/** A `TokenIssued` of credential `id`; `overrides` change its data. */
export function tokenIssued(id: string, overrides: Partial<TokenIssued['data']> = {}): TokenIssued {
  return {
    type: 'TokenIssued',
    data: {
      credential_id: id,
      user_id: 'auth0|u1',
      client_id: 'app-1',
      device_name: 'Pixel 9',
      scope: 'openid offline_access',
      token_hash: `hash-${id}`,
      issued_at: AT,
      grant: 'password',
      terms: { ...LEGACY_TERMS },
      jkt: null,
      ...overrides,
    },
  };
}

/** A `TokenRevoked` of credential `id`. */
export function tokenRevoked(id: string, overrides: Partial<TokenRevoked['data']> = {}): TokenRevoked {
  return {
    type: 'TokenRevoked',
    data: {
      credential_id: id,
      user_id: 'auth0|u1',
      client_id: 'app-1',
      device_name: 'Pixel 9',
      reason: 'management_api',
      actor: 'mgmt@clients',
      revoked_at: AT,
      ...overrides,
    },
  };
}

/** An `IdTokenDelegated` of credential `id`. */
export function idTokenDelegated(
  id: string,
  overrides: Partial<IdTokenDelegated['data']> = {},
): IdTokenDelegated {
  return {
    type: 'IdTokenDelegated',
    data: {
      credential_id: id,
      user_id: 'auth0|u1',
      client_id: 'app-1',
      target: 'app-1',
      api_type: 'app',
      id_token_jti: `jti-${id}`,
      expires_at: AT,
      delegated_at: AT,
      via: 'delegation',
      scope: 'openid',
      ...overrides,
    },
  };
}

/** `events` as the stream `streamId` stores them: versions 1, 2, … (hashes are placeholders, not checked). */
export function envelopesOf(streamId: string, events: readonly CredentialEvent[]): EventEnvelope[] {
  return events.map(
    (event, i) =>
      ({
        event_id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        type: event.type,
        schema_version: SCHEMA_VERSIONS[event.type],
        stream_id: streamId,
        stream_version: i + 1,
        occurred_at: AT,
        correlation_id: 'test',
        causation_id: null,
        previous_hash: i === 0 ? null : `hash-${i}`,
        hash: `hash-${i + 1}`,
        data: event.data,
      }) as EventEnvelope,
  );
}
