import type { User } from './user';
import { exchangeScope, idTokenClaims, intersectScope, presentedScope } from './id-token-claims';

const user: User = {
  userId: 'auth0|0123456789abcdef01234567',
  connection: 'Username-Password-Authentication',
  email: 'ada@example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  nickname: 'ada',
  picture: null,
  blocked: false,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-02-01T00:00:00Z'),
  lastLogin: null,
  loginsCount: 0,
  userMetadata: {},
  appMetadata: {},
};

describe('idTokenClaims', () => {
  const base = { aud: 'target', azp: 'client' };

  it('has only sub, aud, azp and scope for openid', () => {
    expect(idTokenClaims(user, 'openid', base)).toEqual({
      sub: user.userId,
      aud: 'target',
      azp: 'client',
      scope: 'openid',
    });
  });

  it('names the credential it came from when given one', () => {
    expect(idTokenClaims(user, 'openid', { ...base, credentialId: 'dcr_1' })).toMatchObject({
      credential_id: 'dcr_1',
    });
    expect(idTokenClaims(user, 'openid', base)).not.toHaveProperty('credential_id');
  });

  it('adds profile and email claims by scope', () => {
    expect(idTokenClaims(user, 'openid profile email', base)).toEqual({
      sub: user.userId,
      aud: 'target',
      azp: 'client',
      scope: 'openid profile email',
      name: 'Ada Lovelace',
      nickname: 'ada',
      updated_at: '2026-02-01T00:00:00.000Z',
      email: 'ada@example.com',
      email_verified: true,
    });
  });

  it('carries nonce and auth_time when given', () => {
    const claims = idTokenClaims(user, 'openid', { ...base, nonce: 'n-1', authTime: new Date(1_000_000) });
    expect(claims).toMatchObject({ nonce: 'n-1', auth_time: 1000 });
  });
});

describe('exchangeScope', () => {
  const granted = 'openid profile email offline_access';
  it('keeps the granted scope when none or passthrough is asked for', () => {
    expect(exchangeScope(undefined, granted)).toBe(granted);
    expect(exchangeScope('passthrough', granted)).toBe(granted);
  });
  it('narrows to what is asked for', () =>
    expect(exchangeScope('openid email', granted)).toBe('openid email'));
  it('never widens the grant', () =>
    expect(exchangeScope('openid admin', 'openid offline_access')).toBe('openid'));
});

describe('renewing an id_token never widens its scope', () => {
  it('reads the presented scope from the token, only openid when it carries none', () => {
    expect(presentedScope({ scope: 'openid email' })).toBe('openid email');
    expect(presentedScope({})).toBe('openid');
    expect(presentedScope({ scope: ['openid', 'email'] })).toBe('openid');
    expect(presentedScope({ scope: ' ' })).toBe('openid');
  });

  it('keeps only the values both scopes have', () => {
    expect(intersectScope('openid profile email', 'openid email offline_access')).toBe('openid email');
    expect(intersectScope('openid', 'profile')).toBe('');
  });

  it('drops what the presented token did not have, and passthrough keeps the token’s own', () => {
    expect(exchangeScope('openid profile email', 'openid')).toBe('openid');
    expect(exchangeScope('passthrough', 'openid email')).toBe('openid email');
  });
});
