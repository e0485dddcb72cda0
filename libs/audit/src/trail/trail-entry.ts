import type { CredentialEventType, EventEnvelope, IdTokenDelegated } from '@libs/domain';
import { auth0LogCode } from './auth0-log-codes';

/** Who a credential belongs to, from its `TokenIssued` (later events do not all repeat it). */
export interface CredentialFacts {
  userId: string;
  clientId: string;
  deviceName: string;
}

/** One line of a trail: an event of the store or a refused exchange, in Auth0's log vocabulary. */
export interface TrailEntry {
  /** ISO 8601. */
  time: string;
  /** Auth0 log event code (`sd`, `fertft`, `srrt`, …). */
  log_code: string;
  /** A second Auth0 code for the cause (`sapi`, `feacft`), or null. */
  related_log_code: string | null;
  event: CredentialEventType | 'DelegationFailed';
  credential_id: string | null;
  user_id: string | null;
  client_id: string | null;
  device_name: string | null;
  /** Who did it: the user (issuance), the presenting client (exchanges, failures), the revoker. */
  actor: string;
  details: Record<string, string>;
  event_id: string | null;
  correlation_id: string;
  /** Where the line comes from: the event store (global position) or `delegation_failures` (row id). */
  source: 'events' | 'delegation_failures';
  position: string;
}

/** A `delegation_failures` row. */
export interface FailureRow {
  id: string;
  occurred_at: Date;
  endpoint: IdTokenDelegated['data']['via'];
  client_id: string;
  credential_id: string | null;
  user_id: string | null;
  device_name: string | null;
  reason: string;
  ip: string;
  correlation_id: string;
}

/** Drops absent values, so a detail is shown only when the event carries it. */
function present(details: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(details).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** What differs per event type; `entryFromEvent` puts it in the entry's field order. */
type Described = Pick<TrailEntry, 'user_id' | 'client_id' | 'device_name' | 'actor' | 'details'> &
  ReturnType<typeof auth0LogCode>;

function describe(envelope: EventEnvelope, facts?: CredentialFacts): Described {
  switch (envelope.type) {
    case 'TokenIssued': {
      const d = envelope.data;
      return {
        ...auth0LogCode({ type: 'TokenIssued', grant: d.grant }),
        user_id: d.user_id,
        client_id: d.client_id,
        device_name: d.device_name,
        actor: d.user_id,
        details: present({ grant: d.grant, scope: d.scope }),
      };
    }
    case 'IdTokenDelegated': {
      const d = envelope.data;
      return {
        ...auth0LogCode({ type: 'IdTokenDelegated', via: d.via }),
        user_id: d.user_id,
        client_id: d.client_id,
        device_name: facts?.deviceName ?? null,
        actor: d.client_id,
        details: present({ target: d.target, api_type: d.api_type, scope: d.scope, jti: d.id_token_jti }),
      };
    }
    case 'TokenRevoked': {
      const d = envelope.data;
      return {
        ...auth0LogCode({ type: 'TokenRevoked', reason: d.reason, actor: d.actor }),
        user_id: d.user_id,
        client_id: d.client_id,
        device_name: d.device_name,
        actor: d.actor,
        details: present({ reason: d.reason }),
      };
    }
    case 'TokenRotated': {
      const d = envelope.data;
      return {
        ...auth0LogCode({ type: 'TokenRotated' }),
        user_id: d.user_id,
        client_id: d.client_id,
        device_name: facts?.deviceName ?? null,
        actor: d.client_id,
        details: present({ rotated: 'true' }),
      };
    }
    case 'RefreshTokenReused': {
      const d = envelope.data;
      return {
        ...auth0LogCode({ type: 'RefreshTokenReused' }),
        user_id: d.user_id,
        client_id: d.client_id,
        device_name: facts?.deviceName ?? null,
        actor: d.client_id,
        details: present({ retired_at: d.retired_at }),
      };
    }
    case 'TokenExpired': {
      const d = envelope.data;
      return {
        ...auth0LogCode({ type: 'TokenExpired' }),
        user_id: d.user_id,
        client_id: d.client_id,
        device_name: d.device_name,
        actor: d.client_id,
        details: present({ lifetime: d.lifetime, expired_at: d.expired_at }),
      };
    }
    default: {
      const _exhaustive: never = envelope;
      return _exhaustive;
    }
  }
}

/** The trail line of an event (already upcast); `facts` fills in what the event does not repeat. */
export function entryFromEvent(
  envelope: EventEnvelope,
  position: string,
  facts?: CredentialFacts,
): TrailEntry {
  const d = describe(envelope, facts);
  return {
    time: envelope.occurred_at,
    log_code: d.code,
    related_log_code: d.related,
    event: envelope.type,
    credential_id: envelope.stream_id,
    user_id: d.user_id,
    client_id: d.client_id,
    device_name: d.device_name,
    actor: d.actor,
    details: d.details,
    event_id: envelope.event_id,
    correlation_id: envelope.correlation_id,
    source: 'events',
    position,
  };
}

/** The trail line of a refused exchange. */
export function entryFromFailure(row: FailureRow): TrailEntry {
  const { code, related } = auth0LogCode({ type: 'DelegationFailed', endpoint: row.endpoint });
  return {
    time: new Date(row.occurred_at).toISOString(),
    log_code: code,
    related_log_code: related,
    event: 'DelegationFailed',
    credential_id: row.credential_id,
    user_id: row.user_id,
    client_id: row.client_id,
    device_name: row.device_name,
    actor: row.client_id,
    details: { reason: row.reason, ip: row.ip },
    event_id: null,
    correlation_id: row.correlation_id,
    source: 'delegation_failures',
    position: String(row.id),
  };
}
