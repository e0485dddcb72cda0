import type { EventEnvelope } from '@libs/domain';
import { evolveDeviceCredential, type DeviceCredentialRow } from '@libs/projections';
import { foldBatch } from './batch-fold';

let seq = 0;
const envelope = (streamId: string, version: number, type: EventEnvelope['type'], at: string) =>
  ({
    event_id: `e${++seq}`,
    type,
    schema_version: 1,
    stream_id: streamId,
    stream_version: version,
    occurred_at: at,
    correlation_id: 'c',
    causation_id: null,
    previous_hash: null,
    hash: 'h',
    data: {
      credential_id: streamId,
      user_id: 'auth0|u1',
      client_id: 'app',
      device_name: 'phone',
      scope: 'openid offline_access',
      token_hash: `th-${streamId}`,
      issued_at: at,
      grant: 'password',
      terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
      jkt: null,
      target: 'app',
      api_type: 'app',
      id_token_jti: 'j',
      expires_at: at,
      delegated_at: at,
      via: 'delegation',
      reason: 'management_api',
      actor: 'admin',
      revoked_at: at,
    },
  }) as unknown as EventEnvelope;

const issued = (id: string, v = 1) => envelope(id, v, 'TokenIssued', `2026-01-0${v}T00:00:00.000Z`);
const delegated = (id: string, v: number) =>
  envelope(id, v, 'IdTokenDelegated', `2026-01-0${v}T00:00:00.000Z`);
const revoked = (id: string, v: number) => envelope(id, v, 'TokenRevoked', `2026-01-0${v}T00:00:00.000Z`);
const fold = (events: EventEnvelope[]) =>
  events.reduce<DeviceCredentialRow | null>(evolveDeviceCredential, null);

describe('foldBatch', () => {
  it('collapses a credential’s events into one row, equal to the live fold', () => {
    const events = [issued('a'), issued('b'), delegated('a', 2), delegated('a', 3), revoked('b', 2)];
    const rows = foldBatch(() => undefined, events);
    expect(rows).toEqual([fold([events[0], events[2], events[3]]), fold([events[1], events[4]])]);
    expect(rows[0]).toMatchObject({ delegation_count: 2, version: 3, status: 'active' });
    expect(rows[1]).toMatchObject({ status: 'revoked', version: 2 });
  });

  it('continues from the rows replayed by earlier batches', () => {
    const first = [issued('a'), delegated('a', 2)];
    const current = new Map([['a', fold(first)!]]);
    const [row] = foldBatch((id) => current.get(id), [delegated('a', 3), revoked('a', 4)]);
    expect(row).toEqual(fold([...first, delegated('a', 3), revoked('a', 4)]));
  });

  it('writes nothing for redelivered events (idempotent by stream version)', () => {
    const first = [issued('a'), delegated('a', 2)];
    const current = new Map([['a', fold(first)!]]);
    expect(foldBatch((id) => current.get(id), first)).toEqual([]);
  });

  it('folds lazily decoded events, asking for each credential’s row once', () => {
    const asked: string[] = [];
    function* decode() {
      yield issued('a');
      yield delegated('a', 2);
      yield delegated('b', 5);
    }
    const b = { ...fold([issued('b')])!, version: 4 };
    const rows = foldBatch((id) => {
      asked.push(id);
      return id === 'b' ? b : undefined;
    }, decode());
    expect(asked).toEqual(['a', 'b']);
    expect(rows.map((r) => [r.id, r.version, r.delegation_count])).toEqual([
      ['a', 2, 1],
      ['b', 5, 1],
    ]);
  });

  it('ignores events of a credential whose TokenIssued it has not seen', () => {
    expect(foldBatch(() => undefined, [delegated('x', 2), revoked('x', 3)])).toEqual([]);
  });
});
