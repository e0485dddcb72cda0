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

  describe('issue 20 point 9: legacy attribute scopes (legacy client)', () => {
    const legacy = { ...base, legacy: true };
    const withMetadata: User = {
      ...user,
      userMetadata: { favorite_food: 'pizza', plan: 'user-set', sub: 'forged' },
      appMetadata: { plan: 'full', roles: ['writer'] },
    };

    it('puts each named attribute the profile has in the id_token, metadata keys included', () => {
      const claims = idTokenClaims(withMetadata, 'openid email nickname favorite_food roles unknown', legacy);
      expect(claims).toEqual({
        sub: user.userId,
        aud: 'target',
        azp: 'client',
        scope: 'openid email nickname favorite_food roles unknown',
        email: 'ada@example.com',
        email_verified: true,
        nickname: 'ada',
        favorite_food: 'pizza',
        roles: ['writer'],
      });
    });

    it('lets app_metadata win over user_metadata, and never replaces a claim of the token', () => {
      const claims = idTokenClaims(withMetadata, 'openid plan sub scope', {
        ...legacy,
        credentialId: 'dcr_1',
      });
      expect(claims).toMatchObject({ plan: 'full', sub: user.userId, scope: 'openid plan sub scope' });
    });

    it('puts the whole profile in for openid profile, today’s profile claims unchanged', () => {
      const claims = idTokenClaims(withMetadata, 'openid profile', legacy);
      expect(claims).toMatchObject({
        ...idTokenClaims(withMetadata, 'openid profile', base),
        user_id: user.userId,
        email: 'ada@example.com',
        email_verified: true,
        created_at: '2026-01-01T00:00:00.000Z',
        logins_count: 0,
        identities: [expect.objectContaining({ provider: 'auth0' })],
        user_metadata: withMetadata.userMetadata,
        app_metadata: withMetadata.appMetadata,
      });
      expect(claims).not.toHaveProperty('blocked');
      expect(claims).not.toHaveProperty('roles');
    });

    it('adds nothing for a conformant client', () => {
      expect(idTokenClaims(withMetadata, 'openid nickname roles', base)).toEqual({
        sub: user.userId,
        aud: 'target',
        azp: 'client',
        scope: 'openid nickname roles',
      });
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
