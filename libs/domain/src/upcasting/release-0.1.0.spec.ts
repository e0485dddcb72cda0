import { eventHash } from '@libs/event-store';
import { evolveDeviceCredential, type DeviceCredentialRow } from '@libs/projections';
import { evolve, initialState } from '../credential/credential.decider';
import { eventOf, type StoredEnvelope } from '../events';
import { upcast } from './upcast';
import written from './fixtures/release-0.1.0.events.json';

/**
 * A log as release 0.1.0 wrote it (its real write path: CredentialCommands on PostgreSQL, rows read
 * back unchanged): two credentials, `IdTokenDelegated` at schema version 1. Today's code must still
 * verify it as stored, fold it after upcasting, and never need it rewritten.
 */
const log = written as StoredEnvelope[];
const PIXEL = 'dcr_R7kQ2mX9pLw4Zt1B';
const FIREFOX = 'dcr_9fHc3VnY0sJq6DkE';

const fold = (events: StoredEnvelope[]) => {
  const rows = new Map<string, DeviceCredentialRow | null>();
  for (const event of events.map(upcast)) {
    rows.set(event.stream_id, evolveDeviceCredential(rows.get(event.stream_id) ?? null, event));
  }
  return rows;
};

/** What a row of a credential issued before issue 13 shows: legacy terms, never rotated nor expired. */
const LEGACY_ROW = {
  rotating: false,
  leeway: 0,
  expires_at: null,
  idle_lifetime: null,
  rotated_at: null,
  rotation_count: 0,
  expired_at: null,
  jkt: null,
  previous_token_hash: null,
  previous_retired_at: null,
  retry_count: 0,
};

describe('a log written by release 0.1.0', () => {
  it('holds IdTokenDelegated at schema version 1 (the fixture is what it claims to be)', () => {
    const delegated = log.filter((e) => e.type === 'IdTokenDelegated');
    expect(delegated).toHaveLength(3);
    expect(delegated.every((e) => e.schema_version === 1 && !('scope' in e.data))).toBe(true);
  });

  it('verifies as stored: every hash and every chain link', () => {
    for (const event of log) {
      const { hash, ...covered } = event;
      expect(eventHash(covered)).toBe(hash);
      const previous = log.find(
        (e) => e.stream_id === event.stream_id && e.stream_version === event.stream_version - 1,
      );
      expect(event.previous_hash).toBe(previous?.hash ?? null);
    }
  });

  it('upcasts without touching what was stored, so the stored form still verifies', () => {
    const before = JSON.stringify(log);
    const upcast1 = log.map(upcast);
    expect(JSON.stringify(log)).toBe(before);
    for (const [i, event] of upcast1.entries()) {
      expect(event.hash).toBe(log[i].hash);
      if (event.type === 'IdTokenDelegated') {
        expect(event.schema_version).toBe(2);
        expect(event.data.scope).toBeNull();
        // The hash is of the stored form: checking it on an upcast envelope would report tampering.
        const { hash, ...covered } = event;
        expect(eventHash(covered)).not.toBe(hash);
      }
    }
  });

  it('folds through the device-credential projection to the expected view', () => {
    const rows = fold(log);
    expect(rows.get(PIXEL)).toEqual({
      id: PIXEL,
      user_id: 'auth0|64b7f1c2e9a0d3f5a1b2c3d4',
      client_id: 'Xk2mQ9rT4vLp7WnB3cYh8JdF6sGa1ZeU',
      device_name: 'Pixel 9',
      type: 'refresh_token',
      token_hash: 'q3J9x0bq5m1yO1vS7b1kz8VZ2rV9H4tQm6fGzLqE0aU',
      scope: 'openid profile email offline_access',
      grant_type: 'authorization_code',
      status: 'revoked',
      created_at: '2026-11-26T01:27:32.156Z',
      last_used_at: '2026-11-26T01:27:32.177Z',
      delegation_count: 2,
      revoked_at: '2026-11-26T01:27:32.185Z',
      revoke_reason: 'management_api',
      ...LEGACY_ROW,
      version: 4,
    });
    expect(rows.get(FIREFOX)).toEqual({
      id: FIREFOX,
      user_id: 'auth0|64b7f1c2e9a0d3f5a1b2c3d5',
      client_id: 'pR5tW8yB2nM4kL7jH9gF3dS6aQ1zX0cV',
      device_name: 'Firefox on Linux',
      type: 'refresh_token',
      token_hash: 'M0b8Qe2cR5n7T1w3Y6z9A2d4F7h0J3l5N8p1S4u7W0y',
      scope: 'openid offline_access',
      grant_type: 'password',
      status: 'active',
      created_at: '2026-11-26T01:27:32.194Z',
      last_used_at: '2026-11-26T01:27:32.198Z',
      delegation_count: 1,
      revoked_at: null,
      revoke_reason: null,
      ...LEGACY_ROW,
      version: 2,
    });
  });

  it('folds through the decider: the revoked credential stays revoked, the other active', () => {
    const state = (id: string) =>
      log
        .filter((e) => e.stream_id === id)
        .map(upcast)
        .reduce((s, e) => evolve(s, eventOf(e)), initialState);
    expect(state(PIXEL)).toMatchObject({ status: 'revoked', clientId: 'Xk2mQ9rT4vLp7WnB3cYh8JdF6sGa1ZeU' });
    expect(state(FIREFOX)).toMatchObject({ status: 'active', scope: 'openid offline_access' });
  });

  it('folds to the same view when delivered twice (at least once), thanks to the stream version', () => {
    expect(fold([...log, ...log])).toEqual(fold(log));
  });
});
