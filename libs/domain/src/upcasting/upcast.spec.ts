import { SCHEMA_VERSIONS, type EventEnvelope, type IdTokenDelegatedV1, type StoredEnvelope } from '../events';
import { idTokenDelegatedV1ToV2 } from './id-token-delegated-v1.upcaster';
import { UnsupportedEventError } from './unsupported-event.error';
import { assertReadable, upcast, UPCASTERS } from './upcast';

const fields = {
  event_id: '0b1591a9-9290-48b2-b4df-bdad45c01c04',
  stream_id: 'dcr_R7kQ2mX9pLw4Zt1B',
  stream_version: 2,
  occurred_at: '2026-11-26T01:17:43.611Z',
  correlation_id: 'req-1',
  causation_id: null,
  previous_hash: '6e311a8762f026f5314925c4f4ca6588f6ef15a61a5341cc34deceecacb6d0df',
  hash: '67d7868c9dc12378d155a9414f2cced79c15f889857b898a7ea999c63f8ad88e',
};
const v1Data: IdTokenDelegatedV1['data'] = {
  credential_id: 'dcr_R7kQ2mX9pLw4Zt1B',
  user_id: 'auth0|64b7f1c2e9a0d3f5a1b2c3d4',
  client_id: 'mobile-app',
  target: 'mobile-app',
  api_type: 'app',
  id_token_jti: 'm8a656jkIWDROyvAxAjHQQ',
  expires_at: '2026-11-26T11:17:43.609Z',
  delegated_at: '2026-11-26T01:17:43.609Z',
  via: 'delegation',
};
const delegatedV1: StoredEnvelope = Object.freeze({
  ...fields,
  type: 'IdTokenDelegated',
  schema_version: 1,
  data: Object.freeze({ ...v1Data }),
});

describe('upcast', () => {
  it('brings IdTokenDelegated v1 to v2: scope null ("not recorded before schema version 2")', () => {
    expect(upcast(delegatedV1)).toEqual({
      ...fields,
      type: 'IdTokenDelegated',
      schema_version: 2,
      data: { ...v1Data, scope: null },
    });
  });

  it('brings TokenIssued v1 to v2: the legacy terms (no rotation, no expiry) and no DPoP binding', () => {
    const issuedV1 = {
      credential_id: 'dcr_R7kQ2mX9pLw4Zt1B',
      user_id: 'auth0|u',
      client_id: 'mobile-app',
      device_name: 'Pixel 9',
      scope: 'openid offline_access',
      token_hash: 'h',
      issued_at: '2026-11-26T01:17:43.609Z',
      grant: 'password' as const,
    };
    const stored = { ...fields, stream_version: 1, type: 'TokenIssued', schema_version: 1, data: issuedV1 };
    expect(upcast(stored as StoredEnvelope).data).toEqual({
      ...issuedV1,
      terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
      jkt: null,
    });
  });

  it('keeps the stored hash, chain link, id and position: only data and schema_version change', () => {
    const upcast1 = upcast(delegatedV1);
    const { data: _d, schema_version: _v, ...rest } = upcast1;
    expect(rest).toEqual({ ...fields, type: 'IdTokenDelegated' });
  });

  it('is pure: the stored envelope is not touched and the result is the same every time', () => {
    const before = JSON.stringify(delegatedV1);
    expect(upcast(delegatedV1)).toEqual(upcast(delegatedV1));
    expect(JSON.stringify(delegatedV1)).toBe(before);
    expect(upcast(delegatedV1)).not.toBe(delegatedV1);
  });

  it('returns a current envelope as it is', () => {
    const current: EventEnvelope = {
      ...fields,
      type: 'IdTokenDelegated',
      schema_version: 2,
      data: { ...v1Data, scope: 'openid email' },
    };
    expect(upcast(current)).toBe(current);
  });

  it('leaves events of types that never changed alone', () => {
    const revoked: EventEnvelope = {
      ...fields,
      type: 'TokenRevoked',
      schema_version: 1,
      data: {
        credential_id: fields.stream_id,
        user_id: 'auth0|1',
        client_id: 'mobile-app',
        device_name: 'Pixel 9',
        reason: 'management_api',
        actor: 'm@clients',
        revoked_at: '2026-11-26T01:17:43.620Z',
      },
    };
    expect(upcast(revoked)).toBe(revoked);
  });

  it.each([
    ['a version newer than this release knows', 'IdTokenDelegated', 3],
    ['a version of a type that never went past 1', 'TokenRevoked', 2],
    ['a version from a later release', 'TokenIssued', 3],
    ['version 0', 'TokenRevoked', 0],
    ['a fractional version', 'IdTokenDelegated', 1.5],
    ['a version that is not a number', 'IdTokenDelegated', '2'],
    ['an unknown event type', 'TokenRefreshed', 1],
  ])('refuses %s, never guessing', (_case, type, schemaVersion) => {
    const envelope = { ...delegatedV1, type, schema_version: schemaVersion } as unknown as StoredEnvelope;
    expect(() => upcast(envelope)).toThrow(UnsupportedEventError);
    expect(() => assertReadable(type, schemaVersion)).toThrow(
      expect.objectContaining({ code: 'ERR_UNSUPPORTED_EVENT', type, schemaVersion }),
    );
  });

  it('says what to do about a newer version', () => {
    expect(() => assertReadable('IdTokenDelegated', 3)).toThrow(
      'IdTokenDelegated schema_version 3: this release reads schema versions 1 to 2; upgrade the reader, do not guess',
    );
  });

  it('accepts every version from 1 to the current one', () => {
    for (const [type, current] of Object.entries(SCHEMA_VERSIONS)) {
      for (let v = 1; v <= current; v++) expect(() => assertReadable(type, v)).not.toThrow();
    }
  });

  it('has one upcaster per (type, version below the current one), and none beyond', () => {
    for (const [type, current] of Object.entries(SCHEMA_VERSIONS)) {
      const versions = Object.keys(UPCASTERS[type as keyof typeof UPCASTERS]).map(Number);
      expect(versions.sort()).toEqual(Array.from({ length: current - 1 }, (_, i) => i + 1));
    }
  });
});

describe('idTokenDelegatedV1ToV2', () => {
  it('adds scope and changes nothing else', () => {
    expect(idTokenDelegatedV1ToV2(v1Data)).toEqual({ ...v1Data, scope: null });
    expect(Object.keys(idTokenDelegatedV1ToV2(v1Data)).sort()).toEqual(
      [...Object.keys(v1Data), 'scope'].sort(),
    );
  });
});
