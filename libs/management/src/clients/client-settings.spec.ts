import { ManagementApiError } from '../errors/management-api.error';
import { JWT_BEARER_GRANT } from '@libs/tenants';
import { LEGACY_REFRESH_TOKEN_POLICY, MAX_LEEWAY } from '@libs/domain';
import {
  callbackProblem,
  givenFields,
  resolveClientSettings,
  resolveRefreshTokenPolicy,
  type ClientSettingsInput,
} from './client-settings';

const refusal = (input: ClientSettingsInput): ManagementApiError => {
  try {
    resolveClientSettings(input);
  } catch (error) {
    if (error instanceof ManagementApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('resolveClientSettings', () => {
  it('accepts HS256 id_tokens for a confidential client and refuses them for a public one', () => {
    expect(resolveClientSettings({ name: 'Web', jwt_configuration: { alg: 'HS256' } }).idTokenAlg).toBe(
      'HS256',
    );
    expect(refusal({ name: 'App', app_type: 'native', jwt_configuration: { alg: 'HS256' } }).message).toBe(
      "Payload validation error: 'HS256 requires a client secret; public clients use RS256 or ES256' on property jwt_configuration.alg.",
    );
  });

  it('defaults to a confidential regular web application with Auth0 id_token settings', () => {
    expect(resolveClientSettings({ name: 'Web' })).toEqual({
      name: 'Web',
      description: '',
      appType: 'regular_web',
      callbacks: [],
      webOrigins: [],
      allowedOrigins: [],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_post',
      idTokenLifetimeSeconds: 36000,
      idTokenAlg: 'RS256',
      managementScopes: [],
      refreshToken: LEGACY_REFRESH_TOKEN_POLICY,
      requireProofOfPossession: false,
      allowedClients: [],
    });
  });

  it('normalizes web_origins and allowed_origins, keeping each once, and names the list it refuses', () => {
    const settings = resolveClientSettings({
      name: 'A',
      web_origins: ['https://App.example.com:443/', 'https://app.example.com'],
      allowed_origins: ['http://localhost:3000', 'https://*.example.com'],
    });
    expect(settings.webOrigins).toEqual(['https://app.example.com']);
    expect(settings.allowedOrigins).toEqual(['http://localhost:3000', 'https://*.example.com']);
    expect(() => resolveClientSettings({ name: 'A', allowed_origins: ['https://x.com/app'] })).toThrow(
      /path.*on property allowed_origins/,
    );
  });

  it.each([
    ['native', 'none', ['authorization_code', 'refresh_token', JWT_BEARER_GRANT]],
    ['spa', 'none', ['authorization_code', 'refresh_token', JWT_BEARER_GRANT]],
    ['regular_web', 'client_secret_post', ['authorization_code', 'refresh_token', 'client_credentials']],
    ['non_interactive', 'client_secret_post', ['client_credentials']],
  ] as const)('defaults a %s app to %s and its grants', (appType, method, grants) => {
    const settings = resolveClientSettings({ name: 'A', app_type: appType });
    expect(settings.tokenEndpointAuthMethod).toBe(method);
    expect(settings.grantTypes).toEqual(grants);
  });

  it('keeps explicit values and removes duplicates', () => {
    const settings = resolveClientSettings({
      name: 'M2M',
      description: 'backend',
      app_type: 'non_interactive',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials', 'client_credentials'],
      jwt_configuration: { lifetime_in_seconds: 600, alg: 'ES256' },
      management_api_scopes: ['read:users', 'read:users', 'create:users'],
    });
    expect(settings).toMatchObject({
      description: 'backend',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['client_credentials'],
      idTokenLifetimeSeconds: 600,
      idTokenAlg: 'ES256',
      managementScopes: ['read:users', 'create:users'],
    });
  });

  it('allows token_endpoint_auth_method none only for native and spa apps', () => {
    expect(
      refusal({ name: 'A', app_type: 'regular_web', token_endpoint_auth_method: 'none' }).message,
    ).toMatch(/token_endpoint_auth_method/);
    expect(refusal({ name: 'A', app_type: 'non_interactive', token_endpoint_auth_method: 'none' }).code).toBe(
      'invalid_body',
    );
    expect(
      resolveClientSettings({ name: 'A', app_type: 'native', token_endpoint_auth_method: 'none' }),
    ).toBeTruthy();
  });

  it('refuses client_credentials for public app types and interactive grants for non_interactive apps', () => {
    expect(refusal({ name: 'A', app_type: 'native', grant_types: ['client_credentials'] }).message).toMatch(
      /client_credentials not allowed for native.*on property grant_types/,
    );
    expect(refusal({ name: 'A', app_type: 'spa', grant_types: ['client_credentials'] }).code).toBe(
      'invalid_body',
    );
    expect(
      refusal({ name: 'A', app_type: 'non_interactive', grant_types: ['authorization_code'] }).message,
    ).toMatch(/authorization_code not allowed for non_interactive/);
  });

  it('grants Management API scopes only with the client_credentials grant', () => {
    expect(refusal({ name: 'A', app_type: 'native', management_api_scopes: ['read:users'] }).message).toMatch(
      /management_api_scopes/,
    );
    expect(
      resolveClientSettings({ name: 'A', app_type: 'regular_web', management_api_scopes: ['read:users'] })
        .managementScopes,
    ).toEqual(['read:users']);
  });

  it('names the offending callback', () => {
    expect(refusal({ name: 'A', callbacks: ['https://ok.example.com/cb', 'not a url'] }).message).toBe(
      `Payload validation error: 'not a url is not an absolute URL' on property callbacks.`,
    );
  });
});

describe('callbackProblem', () => {
  it.each([
    ['https://app.example.com/callback', 'regular_web'],
    ['http://localhost:3000/callback', 'spa'],
    ['com.example.app://callback', 'native'],
    ['com.example.app:/oauth2redirect', 'native'],
    ['https://app.example.com/cb?x=1', 'native'],
  ] as const)('accepts %s for %s', (callback, appType) => {
    expect(callbackProblem(callback, appType)).toBeUndefined();
  });

  it.each([
    ['/relative/callback', 'native', /absolute/],
    ['https://app.example.com/cb#frag', 'regular_web', /fragment/],
    ['https://app.example.com/cb#', 'regular_web', /fragment/],
    ['https://*.example.com/cb', 'regular_web', /wildcard/],
    ['com.example.app://callback', 'spa', /only for native/],
    ['com.example.app://callback', 'regular_web', /only for native/],
    ['javascript:alert(1)', 'native', /forbidden scheme/],
    ['data:text/html,hi', 'native', /forbidden scheme/],
    ['file:///etc/passwd', 'native', /forbidden scheme/],
  ] as const)('refuses %s for %s', (callback, appType, reason) => {
    expect(callbackProblem(callback, appType)).toMatch(reason);
  });
});

describe('resolveRefreshTokenPolicy', () => {
  // Issue 19 finding 5: a rotating policy needs a lifetime that ends (here the idle one).
  const ROTATING = {
    rotation_type: 'rotating',
    expiration_type: 'expiring',
    infinite_idle_token_lifetime: false,
  } as const;

  it('fills the fields left out (or carried as undefined by a DTO) with the legacy defaults', () => {
    expect(resolveRefreshTokenPolicy(undefined)).toEqual(LEGACY_REFRESH_TOKEN_POLICY);
    expect(resolveRefreshTokenPolicy({ ...ROTATING, leeway: 5, token_lifetime: undefined })).toEqual({
      ...LEGACY_REFRESH_TOKEN_POLICY,
      ...ROTATING,
      leeway: 5,
    });
  });

  it('refuses what Auth0 refuses as a whole, on property refresh_token', () => {
    expect(() =>
      resolveRefreshTokenPolicy({ rotation_type: 'rotating', expiration_type: 'non-expiring' }),
    ).toThrow(
      `Payload validation error: 'refresh_token.expiration_type must be "expiring" when rotation_type is "rotating".' on property refresh_token.`,
    );
    const finite = { ...ROTATING, infinite_token_lifetime: false, infinite_idle_token_lifetime: false };
    expect(() =>
      resolveRefreshTokenPolicy({ ...finite, token_lifetime: 3_600, idle_token_lifetime: 3_601 }),
    ).toThrow(/idle_token_lifetime must not be greater than token_lifetime/);
    expect(
      resolveRefreshTokenPolicy({ ...finite, token_lifetime: 3_600, idle_token_lifetime: 3_600 }),
    ).toMatchObject({ token_lifetime: 3_600, idle_token_lifetime: 3_600 });
  });

  it('issue 19 finding 5: refuses a leeway over MAX_LEEWAY and rotation with both lifetimes infinite', () => {
    expect(() => resolveRefreshTokenPolicy({ ...ROTATING, leeway: MAX_LEEWAY + 1 })).toThrow(
      /leeway must not be greater than 300 seconds/,
    );
    expect(() => resolveRefreshTokenPolicy({ ...ROTATING, infinite_idle_token_lifetime: true })).toThrow(
      /not both infinite/,
    );
  });

  it('judges the defaults of fields a DTO left undefined, not the undefined values', () => {
    // The default infinite idle lifetime makes an idle_token_lifetime above token_lifetime irrelevant.
    const policy = resolveRefreshTokenPolicy({
      ...ROTATING,
      token_lifetime: 3_600,
      infinite_token_lifetime: false,
      idle_token_lifetime: 7_200,
      infinite_idle_token_lifetime: undefined,
    });
    expect(policy.infinite_idle_token_lifetime).toBe(true);
  });

  it('is applied by resolveClientSettings', () => {
    expect(resolveClientSettings({ name: 'A', refresh_token: ROTATING }).refreshToken).toEqual({
      ...LEGACY_REFRESH_TOKEN_POLICY,
      ...ROTATING,
    });
    expect(() =>
      resolveClientSettings({ name: 'A', refresh_token: { ...ROTATING, expiration_type: 'non-expiring' } }),
    ).toThrow(/on property refresh_token/);
  });
});

describe('givenFields', () => {
  it('drops the fields a body left undefined, keeping false, 0 and empty values', () => {
    expect(givenFields({ a: undefined, b: false, c: 0, d: '', e: [] })).toEqual({
      b: false,
      c: 0,
      d: '',
      e: [],
    });
    expect(givenFields(undefined)).toEqual({});
  });
});
