import type { EventEnvelope } from '@libs/domain';
import { entryFromEvent, entryFromFailure } from './trail-entry';

const envelope = (type: EventEnvelope['type'], data: object): EventEnvelope =>
  ({
    event_id: 'e-1',
    type,
    schema_version: 1,
    stream_id: 'dcr_A',
    stream_version: 1,
    occurred_at: '2026-11-26T08:00:00.000Z',
    correlation_id: 'req-1',
    causation_id: null,
    previous_hash: null,
    hash: 'h',
    data,
  }) as EventEnvelope;

const facts = { userId: 'auth0|u1', clientId: 'app-1', deviceName: 'Pixel' };

describe('trail entries', () => {
  it('issuance: the user is the actor, the grant and scope are details', () => {
    const entry = entryFromEvent(
      envelope('TokenIssued', {
        credential_id: 'dcr_A',
        user_id: 'auth0|u1',
        client_id: 'app-1',
        device_name: 'Pixel',
        scope: 'openid offline_access',
        token_hash: 'secret-hash',
        issued_at: '2026-11-26T08:00:00.000Z',
        grant: 'password',
      }),
      '7',
    );
    expect(entry).toMatchObject({
      log_code: 'sepft',
      actor: 'auth0|u1',
      device_name: 'Pixel',
      details: { grant: 'password', scope: 'openid offline_access' },
      source: 'events',
      position: '7',
    });
    expect(JSON.stringify(entry)).not.toContain('secret-hash');
    // The json format prints fields in this order, for events and failures alike.
    expect(Object.keys(entry)).toEqual([
      'time',
      'log_code',
      'related_log_code',
      'event',
      'credential_id',
      'user_id',
      'client_id',
      'device_name',
      'actor',
      'details',
      'event_id',
      'correlation_id',
      'source',
      'position',
    ]);
  });

  it('delegation: the client is the actor; the device comes from the credential', () => {
    const entry = entryFromEvent(
      envelope('IdTokenDelegated', {
        credential_id: 'dcr_A',
        user_id: 'auth0|u1',
        client_id: 'app-1',
        target: 'app-2',
        api_type: 'app',
        id_token_jti: 'jti-1',
        expires_at: '2026-11-26T18:00:00.000Z',
        delegated_at: '2026-11-26T08:00:00.000Z',
        via: 'delegation',
        scope: null,
      }),
      '8',
      facts,
    );
    expect(entry).toMatchObject({
      log_code: 'sd',
      actor: 'app-1',
      device_name: 'Pixel',
      details: { target: 'app-2', api_type: 'app', jti: 'jti-1' },
    });
  });

  it('revocation: the revoker is the actor, the reason a detail', () => {
    const entry = entryFromEvent(
      envelope('TokenRevoked', {
        credential_id: 'dcr_A',
        user_id: 'auth0|u1',
        client_id: 'app-1',
        device_name: 'Pixel',
        reason: 'management_api',
        actor: 'mgmt@clients',
        revoked_at: '2026-11-26T08:00:00.000Z',
      }),
      '9',
    );
    expect(entry).toMatchObject({ log_code: 'srrt', related_log_code: 'sapi', actor: 'mgmt@clients' });
    expect(entry.details).toEqual({ reason: 'management_api' });
  });

  it('a refused exchange: the presenting client is the actor', () => {
    expect(
      entryFromFailure({
        id: '3',
        occurred_at: new Date('2026-11-26T08:00:00Z'),
        endpoint: 'refresh_token',
        client_id: 'app-2',
        credential_id: 'dcr_A',
        user_id: 'auth0|u1',
        device_name: 'Pixel',
        reason: 'wrong_client',
        ip: '10.0.0.1',
        correlation_id: 'req-9',
      }),
    ).toEqual({
      time: '2026-11-26T08:00:00.000Z',
      log_code: 'fertft',
      related_log_code: null,
      event: 'DelegationFailed',
      credential_id: 'dcr_A',
      user_id: 'auth0|u1',
      client_id: 'app-2',
      device_name: 'Pixel',
      actor: 'app-2',
      details: { reason: 'wrong_client', ip: '10.0.0.1' },
      event_id: null,
      correlation_id: 'req-9',
      source: 'delegation_failures',
      position: '3',
    });
  });
});
