import type { ActiveCredential } from '@libs/credentials';
import { CREDENTIAL_CLAIM } from '@libs/tenants';
import { accessTokenIntrospection, INACTIVE, refreshTokenIntrospection } from './introspection-response';

const ISSUER = 'https://tenant.example.com/';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const epoch = (ms: number) => Math.floor(ms / 1000);

const credential = (changes: Partial<ActiveCredential> = {}): ActiveCredential => ({
  status: 'active',
  credentialId: 'dcr_00112233445566778899aabbccddeeff',
  userId: 'auth0|0123456789abcdef01234567',
  clientId: 'web-app',
  deviceName: 'Pixel 9',
  scope: 'openid profile offline_access',
  terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
  jkt: null,
  issuedAt: new Date(T0).toISOString(),
  lastUsedAt: new Date(T0).toISOString(),
  token: 'h0',
  previous: null,
  retries: 0,
  ...changes,
});

describe('refreshTokenIntrospection (RFC 7662 §2.2)', () => {
  it('a legacy token: scope, client, user, the family’s issuance; no exp (only a revocation ends it)', () => {
    expect(refreshTokenIntrospection(credential(), 'h0', ISSUER)).toEqual({
      active: true,
      scope: 'openid profile offline_access',
      client_id: 'web-app',
      sub: 'auth0|0123456789abcdef01234567',
      token_type: 'refresh_token',
      iat: epoch(T0),
      iss: ISSUER,
      device_credential_id: 'dcr_00112233445566778899aabbccddeeff',
    });
  });

  it('an expiring token: exp is the earlier of the absolute end and the idle end after the last use', () => {
    const terms = {
      rotating: false,
      leeway: 0,
      expires_at: new Date(T0 + 86_400_000).toISOString(),
      idle_lifetime: 3_600,
    };
    const fresh = credential({ terms });
    expect(refreshTokenIntrospection(fresh, 'h0', ISSUER).exp).toBe(epoch(T0 + 3_600_000));
    const lateUse = credential({ terms, lastUsedAt: new Date(T0 + 85_000_000).toISOString() });
    expect(refreshTokenIntrospection(lateUse, 'h0', ISSUER).exp).toBe(epoch(T0 + 86_400_000));
  });

  it('a retired rotating token within its leeway: exp is the end of the leeway', () => {
    const retired = credential({
      terms: { rotating: true, leeway: 30, expires_at: null, idle_lifetime: 3_600 },
      lastUsedAt: new Date(T0 + 60_000).toISOString(),
      token: 'h1',
      previous: { hash: 'h0', retiredAt: new Date(T0 + 60_000).toISOString() },
    });
    expect(refreshTokenIntrospection(retired, 'h0', ISSUER).exp).toBe(epoch(T0 + 90_000));
    expect(refreshTokenIntrospection(retired, 'h1', ISSUER).exp).toBe(epoch(T0 + 3_660_000));
  });

  it('a DPoP-bound family names its key (RFC 9449 §6.2)', () => {
    expect(refreshTokenIntrospection(credential({ jkt: 'thumbprint' }), 'h0', ISSUER).cnf).toEqual({
      jkt: 'thumbprint',
    });
  });
});

describe('accessTokenIntrospection', () => {
  const claims = {
    iss: ISSUER,
    sub: 'auth0|0123456789abcdef01234567',
    aud: 'https://tenant.example.com/userinfo',
    azp: 'web-app',
    scope: 'openid profile',
    iat: 1_700_000_000,
    exp: 1_700_086_400,
    jti: 'jti-1',
  };

  it('a bearer token: its own claims, azp as client_id, token_type Bearer', () => {
    expect(accessTokenIntrospection(claims)).toEqual({
      active: true,
      scope: 'openid profile',
      client_id: 'web-app',
      sub: 'auth0|0123456789abcdef01234567',
      token_type: 'Bearer',
      exp: 1_700_086_400,
      iat: 1_700_000_000,
      iss: ISSUER,
      aud: 'https://tenant.example.com/userinfo',
      jti: 'jti-1',
    });
  });

  it('bound to a DPoP key and to a refresh token: token_type DPoP, cnf.jkt, the device credential', () => {
    const bound = accessTokenIntrospection({
      ...claims,
      cnf: { jkt: 'thumbprint' },
      [CREDENTIAL_CLAIM]: 'dcr_0123',
    });
    expect(bound).toMatchObject({
      token_type: 'DPoP',
      cnf: { jkt: 'thumbprint' },
      device_credential_id: 'dcr_0123',
    });
  });
});

it('an inactive token is `{active: false}` and nothing else', () => {
  expect(JSON.stringify(INACTIVE)).toBe('{"active":false}');
});
