import type { AppConfig } from '@libs/config';
import { RateLimited, type ActiveCredential, type CredentialResolver } from '@libs/credentials';
import { MemoryLimitStore } from '@libs/security';
import type { User, UserRepository } from '@libs/tenants';
import type { AccessTokenInForce, UserAccessTokenVerifier } from '../token/user-access-token.verifier';
import { INACTIVE } from './introspection-response';
import { TokenIntrospection } from './token-introspection';

const NOW = Date.now();
const iso = (offsetSeconds: number) => new Date(NOW + offsetSeconds * 1000).toISOString();
const USER = { userId: 'auth0|0123456789abcdef01234567', blocked: false } as User;

const credential = (changes: Partial<ActiveCredential> = {}): ActiveCredential => ({
  status: 'active',
  credentialId: 'dcr_0123',
  userId: USER.userId,
  clientId: 'web-app',
  deviceName: 'Pixel 9',
  scope: 'openid offline_access',
  terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
  jkt: null,
  issuedAt: iso(-600),
  lastUsedAt: iso(-600),
  token: 'h0',
  previous: null,
  retries: 0,
  ...changes,
});

/** The service over in-memory look-ups: `found` by the resolver, `access` from the verifier, `user` from the repository. */
function introspection(
  found: { state: ActiveCredential; owner?: User | null; tokenHash?: string } | null,
  access: AccessTokenInForce | null = null,
  user: User | null = USER,
) {
  const calls: string[] = [];
  const credentials = {
    byRefreshToken: async () => {
      calls.push('refresh');
      return found && { version: 1, tokenHash: 'h0', ...found };
    },
  } as unknown as CredentialResolver;
  const users = {
    findById: async () => (calls.push('user'), user),
  } as unknown as UserRepository;
  const accessTokens = {
    inForce: async (_token: string, issuedTo?: string) => {
      calls.push(`access:${issuedTo}`);
      return access;
    },
  } as unknown as UserAccessTokenVerifier;
  const service = new TokenIntrospection(
    credentials,
    users,
    accessTokens,
    { publicUrl: 'https://tenant.example.com', rateLimits: { failuresPerMinute: 3 } } as AppConfig,
    new MemoryLimitStore(),
  );
  return { service, calls };
}

const ACCESS: AccessTokenInForce = {
  user: USER,
  claims: {
    iss: 'https://tenant.example.com/',
    sub: USER.userId,
    aud: 'https://tenant.example.com/userinfo',
    azp: 'web-app',
    scope: 'openid',
    iat: 1,
    exp: 2,
  },
};

describe('TokenIntrospection', () => {
  it('a refresh token in force for its own client: active, its user read when the view had none', async () => {
    const { service, calls } = introspection({ state: credential() });
    expect(await service.introspect('opaque', 'web-app')).toMatchObject({
      active: true,
      client_id: 'web-app',
      iss: 'https://tenant.example.com/',
    });
    expect(calls).toEqual(['refresh', 'user']);
  });

  it("another client's refresh token: inactive, and neither its user nor the other kind is looked up", async () => {
    const { service, calls } = introspection({ state: credential() });
    expect(await service.introspect('opaque', 'other-app')).toEqual(INACTIVE);
    expect(calls).toEqual(['refresh']);
  });

  it('revoked, a blocked user, a deleted user (the view says so): inactive', async () => {
    const revoked = introspection({ state: credential({ status: 'revoked' }) });
    expect(await revoked.service.introspect('opaque', 'web-app')).toEqual(INACTIVE);
    const blocked = introspection({ state: credential() }, null, { ...USER, blocked: true });
    expect(await blocked.service.introspect('opaque', 'web-app')).toEqual(INACTIVE);
    const deleted = introspection({ state: credential(), owner: null });
    expect(await deleted.service.introspect('opaque', 'web-app')).toEqual(INACTIVE);
    expect(deleted.calls).toEqual(['refresh']);
  });

  it('as the exchange decides with the presentation: past the idle end, or retired past the leeway', async () => {
    const idle = introspection({
      state: credential({ terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: 60 } }),
    });
    expect(await idle.service.introspect('opaque', 'web-app')).toEqual(INACTIVE);
    const rotating = { rotating: true, leeway: 30, expires_at: null, idle_lifetime: 3_600 };
    const reused = introspection({
      state: credential({ terms: rotating, token: 'h1', previous: { hash: 'h0', retiredAt: iso(-31) } }),
    });
    expect(await reused.service.introspect('opaque', 'web-app')).toEqual(INACTIVE);
    const retry = introspection({
      state: credential({ terms: rotating, token: 'h1', previous: { hash: 'h0', retiredAt: iso(-10) } }),
    });
    expect(await retry.service.introspect('opaque', 'web-app')).toMatchObject({ active: true });
  });

  it('the hint orders the look-ups; a token not found as one kind is looked up as the other', async () => {
    const access = introspection(null, ACCESS);
    expect(await access.service.introspect('opaque', 'web-app', 'refresh_token')).toMatchObject({
      active: true,
      token_type: 'Bearer',
    });
    expect(access.calls).toEqual(['refresh', 'access:web-app']);
    const refresh = introspection({ state: credential() });
    expect(await refresh.service.introspect('a.b.c', 'web-app', 'access_token')).toMatchObject({
      token_type: 'refresh_token',
    });
    expect(refresh.calls).toEqual(['access:web-app', 'refresh', 'user']);
  });

  it('without a hint a JWT is tried as an access token first; found as neither: inactive', async () => {
    const jwt = introspection(null, ACCESS);
    await jwt.service.introspect('a.b.c', 'web-app');
    expect(jwt.calls).toEqual(['access:web-app']);
    const garbage = introspection(null);
    expect(await garbage.service.introspect('garbage', 'web-app')).toEqual(INACTIVE);
    expect(garbage.calls).toEqual(['refresh', 'access:web-app']);
  });

  it('issue 19 finding 1: tokens naming nothing of the client count as failed look-ups; past the limit none is made', async () => {
    const { service, calls } = introspection(null);
    for (let i = 0; i < 3; i++)
      expect(await service.introspect('guess', 'web-app', undefined, '203.0.113.9')).toEqual(INACTIVE);
    calls.length = 0;
    await expect(service.introspect('guess', 'web-app', undefined, '203.0.113.9')).rejects.toBeInstanceOf(
      RateLimited,
    );
    expect(calls).toEqual([]); // refused before any look-up
    // Another address keeps its own budget.
    expect(await service.introspect('guess', 'web-app', undefined, '198.51.100.7')).toEqual(INACTIVE);
  });
});
