import { deciderSpec } from '@libs/testing';
import {
  decide,
  evolve,
  initialState,
  refusalOf,
  replay,
  type DelegateIdToken,
  type IssueToken,
  type RevokeToken,
} from './credential.decider';
import type { IdTokenDelegated, TokenIssued, TokenRevoked } from '../events';
import { CREDENTIAL_ID, credentialId } from '../ids';

const now = new Date('2026-11-25T10:00:00.000Z');
const later = new Date('2026-11-25T11:00:00.000Z');
const spec = deciderSpec({ decide, evolve, initialState });

const issue: IssueToken = {
  type: 'IssueToken',
  credentialId: 'dcr_0123456789abcdef',
  userId: 'auth0|abc',
  clientId: 'app-1',
  deviceName: 'Pixel 9',
  scope: 'openid offline_access',
  tokenHash: 'hash',
  grant: 'authorization_code',
  now,
};
const issued: TokenIssued = {
  type: 'TokenIssued',
  data: {
    credential_id: 'dcr_0123456789abcdef',
    user_id: 'auth0|abc',
    client_id: 'app-1',
    device_name: 'Pixel 9',
    scope: 'openid offline_access',
    token_hash: 'hash',
    issued_at: now.toISOString(),
    grant: 'authorization_code',
    terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
    jkt: null,
  },
};
const revoke: RevokeToken = {
  type: 'RevokeToken',
  reason: 'management_api',
  actor: 'm2m@clients',
  now: later,
};
const revoked: TokenRevoked = {
  type: 'TokenRevoked',
  data: {
    credential_id: 'dcr_0123456789abcdef',
    user_id: 'auth0|abc',
    client_id: 'app-1',
    device_name: 'Pixel 9',
    reason: 'management_api',
    actor: 'm2m@clients',
    revoked_at: later.toISOString(),
  },
};
const delegateCmd: DelegateIdToken = {
  type: 'DelegateIdToken',
  presentedBy: 'app-1',
  target: 'app-1',
  apiType: 'app',
  idTokenJti: 'jti-1',
  expiresAt: new Date('2026-11-25T21:00:00.000Z'),
  via: 'delegation',
  scope: 'openid email',
  now: later,
};
const delegated: IdTokenDelegated = {
  type: 'IdTokenDelegated',
  data: {
    credential_id: 'dcr_0123456789abcdef',
    user_id: 'auth0|abc',
    client_id: 'app-1',
    target: 'app-1',
    api_type: 'app',
    id_token_jti: 'jti-1',
    expires_at: '2026-11-25T21:00:00.000Z',
    delegated_at: later.toISOString(),
    via: 'delegation',
    scope: 'openid email',
  },
};

describe('device credential decider', () => {
  describe('IssueToken', () => {
    it('issues a token for a new credential', () => spec.given([]).when(issue).then([issued]));
    it('refuses to issue twice on one credential', () =>
      spec.given([issued]).when(issue).thenThrows('credential_already_exists'));
    it('refuses a blank device name', () =>
      spec
        .given([])
        .when({ ...issue, deviceName: '  ' })
        .thenThrows('invalid_command'));
  });

  describe('DelegateIdToken', () => {
    it('delegates an id_token for an active credential', () =>
      spec.given([issued]).when(delegateCmd).then([delegated]));
    it('keeps delegating after earlier delegations', () =>
      spec.given([issued, delegated]).when(delegateCmd).then([delegated]));
    it('refuses an unknown credential', () =>
      spec.given([]).when(delegateCmd).thenThrows('invalid_refresh_token'));
    it('refuses a revoked credential', () =>
      spec.given([issued, revoked]).when(delegateCmd).thenThrows('invalid_refresh_token'));
    it('refuses a token presented by another client (RFC 6749 §10.4)', () =>
      spec
        .given([issued])
        .when({ ...delegateCmd, presentedBy: 'app-2' })
        .thenThrows('invalid_refresh_token'));
    it('delegates to another target client', () =>
      spec
        .given([issued])
        .when({ ...delegateCmd, target: 'app-2' })
        .then([{ ...delegated, data: { ...delegated.data, target: 'app-2' } }]));
  });

  describe('RevokeToken', () => {
    it('revokes an active credential', () => spec.given([issued, delegated]).when(revoke).then([revoked]));
    it('records nothing for an already revoked credential (idempotent)', () =>
      spec.given([issued, revoked]).when(revoke).then([]));
    it('refuses an unknown credential', () => spec.given([]).when(revoke).thenThrows('credential_not_found'));
  });
});

describe('refusalOf (the refusal rules of an exchange)', () => {
  it('refuses unknown, foreign and revoked tokens, then those of a deleted or blocked user', () => {
    const active = replay([issued]);
    const revokedState = replay([issued, revoked]);
    expect(refusalOf(initialState, 'app-1')).toBe('unknown_token');
    expect(refusalOf(active, 'app-2')).toBe('wrong_client');
    expect(refusalOf(revokedState, 'app-2')).toBe('wrong_client');
    expect(refusalOf(revokedState, 'app-1')).toBe('revoked');
    expect(refusalOf(active, 'app-1', null)).toBe('user_missing');
    expect(refusalOf(active, 'app-1', { blocked: true })).toBe('user_blocked');
    expect(refusalOf(active, 'app-1', { blocked: false })).toBeNull();
    expect(refusalOf(active, 'app-1')).toBeNull();
  });

  it("is the decider's own rule: a refused exchange carries the reason", () => {
    expect(() => decide({ ...delegateCmd, presentedBy: 'app-2' }, replay([issued]))).toThrow(
      expect.objectContaining({ code: 'invalid_refresh_token', reason: 'wrong_client' }),
    );
  });
});

describe('credentialId', () => {
  it('builds an Auth0-like id from 16 random bytes', () => {
    const id = credentialId(new Uint8Array(16).map((_, i) => i * 17));
    expect(id).toMatch(CREDENTIAL_ID);
  });
  it('refuses too few bytes', () => expect(() => credentialId(new Uint8Array(4))).toThrow(RangeError));
});
