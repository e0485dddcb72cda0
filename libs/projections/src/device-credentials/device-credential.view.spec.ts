import { envelopesOf, idTokenDelegated, tokenIssued, tokenRevoked, viewSpec } from '@libs/testing';
import { evolveDeviceCredential, type DeviceCredentialRow } from './device-credential.view';

const id = 'dcr_0123456789abcdef';
const [issued, delegated, revoked, delegatedAgain] = envelopesOf(id, [
  tokenIssued(id),
  idTokenDelegated(id, { delegated_at: '2026-11-25T11:00:00.000Z' }),
  tokenRevoked(id, { reason: 'dashboard_unlink', revoked_at: '2026-11-25T12:00:00.000Z' }),
  idTokenDelegated(id),
]);
const view = viewSpec(evolveDeviceCredential);

const active: DeviceCredentialRow = {
  id,
  user_id: 'auth0|u1',
  client_id: 'app-1',
  device_name: 'Pixel 9',
  type: 'refresh_token',
  token_hash: `hash-${id}`,
  scope: 'openid offline_access',
  grant_type: 'password',
  status: 'active',
  created_at: '2026-11-25T10:00:00.000Z',
  last_used_at: null,
  delegation_count: 0,
  revoked_at: null,
  revoke_reason: null,
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
  version: 1,
};

describe('device-credential view (the fold)', () => {
  it('adds an active row when a token is issued', () => {
    view.given([]).when(issued).then(active);
  });

  it('counts exchanges and remembers the last one', () => {
    view
      .given([issued])
      .when(delegated)
      .then({ ...active, delegation_count: 1, last_used_at: '2026-11-25T11:00:00.000Z', version: 2 });
  });

  it('marks the row revoked with the reason and time', () => {
    view
      .given([issued, delegated])
      .when(revoked)
      .then({
        ...active,
        delegation_count: 1,
        last_used_at: '2026-11-25T11:00:00.000Z',
        status: 'revoked',
        revoked_at: '2026-11-25T12:00:00.000Z',
        revoke_reason: 'dashboard_unlink',
        version: 3,
      });
  });

  it('changes nothing for an event delivered again (idempotent by stream version)', () => {
    const after = [issued, delegated, revoked].reduce(evolveDeviceCredential, null);
    view.given([issued, delegated, revoked]).when(delegated, issued, revoked).then(after);
  });

  it('ignores events of a credential it has no row for', () => {
    view.given([]).when(delegatedAgain).then(null);
    view.given([]).when(revoked).then(null);
  });
});

describe('device-credential view: rotation and expiry (issue 13)', () => {
  const rid = 'dcr_00000000000000000000000000000001';
  const terms = { rotating: true, leeway: 10, expires_at: '2026-12-25T10:00:00.000Z', idle_lifetime: 3600 };
  const [issuedR, rotatedR, expiredR] = envelopesOf(rid, [
    tokenIssued(rid, { terms, jkt: 'thumb' }),
    {
      type: 'TokenRotated',
      data: {
        credential_id: rid,
        user_id: 'auth0|u1',
        client_id: 'app-1',
        previous_token_hash: `hash-${rid}`,
        token_hash: 'next-hash',
        rotated_at: '2026-11-25T10:30:00.000Z',
      },
    },
    {
      type: 'TokenExpired',
      data: {
        credential_id: rid,
        user_id: 'auth0|u1',
        client_id: 'app-1',
        device_name: 'Pixel 9',
        lifetime: 'idle',
        expired_at: '2026-11-25T11:30:00.000Z',
        observed_at: '2026-11-25T12:00:00.000Z',
      },
    },
  ]);
  const base = { ...active, id: rid, token_hash: `hash-${rid}`, rotating: true, leeway: 10 };
  const rotatingRow = { ...base, expires_at: terms.expires_at, idle_lifetime: 3600, jkt: 'thumb' };

  it("records the family's terms and binding from TokenIssued", () => {
    view.given([]).when(issuedR).then(rotatingRow);
  });
  it("keeps the family's newest token, its previous one (retired then), and counts rotations", () => {
    view
      .given([issuedR])
      .when(rotatedR)
      .then({
        ...rotatingRow,
        token_hash: 'next-hash',
        rotated_at: '2026-11-25T10:30:00.000Z',
        rotation_count: 1,
        previous_token_hash: `hash-${rid}`,
        previous_retired_at: '2026-11-25T10:30:00.000Z',
        version: 2,
      });
  });
  it('shows an observed expiry: status expired, when it ran out', () => {
    view
      .given([issuedR, rotatedR])
      .when(expiredR)
      .then({
        ...rotatingRow,
        token_hash: 'next-hash',
        rotated_at: '2026-11-25T10:30:00.000Z',
        rotation_count: 1,
        previous_token_hash: `hash-${rid}`,
        previous_retired_at: '2026-11-25T10:30:00.000Z',
        status: 'expired',
        expired_at: '2026-11-25T11:30:00.000Z',
        version: 3,
      });
  });
});
