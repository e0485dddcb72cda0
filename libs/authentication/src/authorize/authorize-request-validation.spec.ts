import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import type { Client } from '@libs/tenants';
import {
  DEVICE_REQUIRED_DESCRIPTION,
  MAX_PARAM_LENGTH,
  queryOf,
  validateAuthorizeRequest,
  type AuthorizeQuery,
} from './authorize-request';

const CALLBACK = 'https://app.example.com/callback';
const NATIVE_CALLBACK = 'com.example.app://callback';
// BASE64URL(SHA256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')), RFC 7636 appendix B.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const client = (overrides: Partial<Client> = {}): Client => ({
  clientId: 'native-client-id',
  name: 'Native App',
  description: '',
  appType: 'native',
  callbacks: [CALLBACK, NATIVE_CALLBACK],
  webOrigins: [],
  allowedOrigins: [],
  grantTypes: ['authorization_code', 'refresh_token'],
  tokenEndpointAuthMethod: 'none',
  clientSecretHash: null,
  idTokenLifetimeSeconds: 36000,
  idTokenAlg: 'RS256',
  managementScopes: [],
  refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY },
  createdAt: new Date(0),
  ...overrides,
});

const valid: AuthorizeQuery = {
  response_type: 'code',
  client_id: 'native-client-id',
  redirect_uri: CALLBACK,
  scope: 'openid offline_access',
  device: 'Pixel 9',
  state: 'st-123',
  nonce: 'n-456',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

const validate = (changes: Record<string, unknown>, c: Client | null = client()) =>
  validateAuthorizeRequest(
    Object.fromEntries(Object.entries({ ...valid, ...changes }).filter(([, v]) => v !== undefined)),
    c,
  );

const redirected = (error: string, description: string | RegExp, state: string | null = 'st-123') => ({
  kind: 'error-redirect',
  redirectUri: CALLBACK,
  state,
  error,
  description: typeof description === 'string' ? description : expect.stringMatching(description),
});

describe('GET /authorize parameter validation', () => {
  it('accepts a complete PKCE request and keeps every value the code will carry', () => {
    expect(validate({})).toEqual({
      kind: 'login',
      client: client(),
      request: {
        clientId: 'native-client-id',
        redirectUri: CALLBACK,
        scope: 'openid offline_access',
        state: 'st-123',
        nonce: 'n-456',
        device: 'Pixel 9',
        codeChallenge: CHALLENGE,
        codeChallengeMethod: 'S256',
      },
    });
  });

  describe('before the redirect_uri is trusted: an error page, never a redirect (RFC 6749 §4.1.2.1)', () => {
    it.each([
      ['a missing client_id', { client_id: undefined }, client(), /Missing required parameter: client_id/],
      ['an unknown client_id', {}, null, /Unknown client/],
      ['a lookup of another client', {}, client({ clientId: 'other' }), /Unknown client/],
      ['a repeated client_id', { client_id: ['native-client-id', 'x'] }, client(), /client_id .*repeated/],
      ['a missing redirect_uri', { redirect_uri: undefined }, client(), /redirect_uri/],
      ['an empty redirect_uri', { redirect_uri: '' }, client(), /redirect_uri/],
      ['a repeated redirect_uri', { redirect_uri: [CALLBACK, CALLBACK] }, client(), /repeated/],
      ['a redirect_uri with a trailing slash', { redirect_uri: `${CALLBACK}/` }, client(), /mismatch/],
      ['a redirect_uri with another query', { redirect_uri: `${CALLBACK}?x=1` }, client(), /mismatch/],
      ['a redirect_uri differing in case', { redirect_uri: CALLBACK.toUpperCase() }, client(), /mismatch/],
      ['a prefix of a callback', { redirect_uri: 'https://app.example.com/' }, client(), /mismatch/],
    ])('%s', (_name, changes, c, description) => {
      expect(validate(changes, c)).toEqual({
        kind: 'error-page',
        description: expect.stringMatching(description),
      });
    });

    it('shows a page, not a redirect, even when everything else is wrong too', () => {
      expect(validate({ redirect_uri: 'https://evil.example/cb', response_type: 'token' }).kind).toBe(
        'error-page',
      );
    });

    it('refuses a registered callback that could not safely receive a code', () => {
      const unsafe = client({ callbacks: ['javascript:alert(1)//', 'https://app.example.com/cb#frag'] });
      expect(validate({ redirect_uri: 'javascript:alert(1)//' }, unsafe).kind).toBe('error-page');
      expect(validate({ redirect_uri: 'https://app.example.com/cb#frag' }, unsafe).kind).toBe('error-page');
    });
  });

  describe('after the redirect_uri is trusted: a redirect with error and state', () => {
    it.each([
      ['a missing response_type', { response_type: undefined }, 'invalid_request', /response_type/],
      ['response_type=token', { response_type: 'token' }, 'unsupported_response_type', /token/],
      [
        'response_type=code id_token',
        { response_type: 'code id_token' },
        'unsupported_response_type',
        /code/,
      ],
      ['a repeated scope', { scope: ['openid', 'email'] }, 'invalid_request', /scope .*repeated/],
      ['response_mode=form_post', { response_mode: 'form_post' }, 'invalid_request', /response_mode/],
      ['an unknown scope', { scope: 'openid admin' }, 'invalid_scope', /admin/],
      [
        'offline_access without a device',
        { device: undefined },
        'invalid_request',
        DEVICE_REQUIRED_DESCRIPTION,
      ],
      ['offline_access with an empty device', { device: '' }, 'invalid_request', DEVICE_REQUIRED_DESCRIPTION],
      ['a device over 255 characters', { device: 'd'.repeat(256) }, 'invalid_request', /255/],
      ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request', /plain/],
      ['a challenge without its method', { code_challenge_method: undefined }, 'invalid_request', /S256/],
      ['a method without its challenge', { code_challenge: undefined }, 'invalid_request', /code_challenge/],
      ['a malformed challenge', { code_challenge: 'short' }, 'invalid_request', /43/],
      [
        'a public client without PKCE',
        { code_challenge: undefined, code_challenge_method: undefined },
        'invalid_request',
        /PKCE is required/,
      ],
      ['prompt=none (no sessions here)', { prompt: 'none' }, 'login_required', 'Login required'],
      ['prompt=none with another value', { prompt: 'none login' }, 'invalid_request', /none/],
      ['a nonce that is too long', { nonce: 'n'.repeat(MAX_PARAM_LENGTH + 1) }, 'invalid_request', /nonce/],
      ['a device with a NUL character', { device: 'phone\u0000' }, 'invalid_request', /device.*NUL/],
    ])('%s', (_name, changes, error, description) => {
      expect(validate(changes)).toEqual(redirected(error, description));
    });

    it('issue 20 point 9: accepts legacy attribute scopes from a legacy (HS256) client only', () => {
      const scope = 'openid email nickname favorite_food offline_access';
      const legacy = client({ idTokenAlg: 'HS256', tokenEndpointAuthMethod: 'client_secret_post' });
      expect(validate({ scope }, legacy)).toMatchObject({ kind: 'login', request: { scope } });
      expect(validate({ scope })).toEqual(redirected('invalid_scope', /nickname favorite_food/));
      expect(validate({ scope: 'openid bad"quote' }, legacy)).toEqual(redirected('invalid_scope', /bad/));
    });

    it('refuses plain PKCE for a confidential client too', () => {
      const web = client({ appType: 'regular_web', tokenEndpointAuthMethod: 'client_secret_post' });
      expect(validate({ code_challenge_method: 'plain' }, web)).toEqual(
        redirected('invalid_request', /plain/),
      );
    });

    it('refuses a client without the authorization_code grant', () => {
      const c = client({ grantTypes: ['refresh_token'] });
      expect(validate({}, c)).toEqual(redirected('unauthorized_client', /authorization_code/));
    });

    it('refuses a non-interactive (machine to machine) client', () => {
      const m2m = client({
        appType: 'non_interactive',
        grantTypes: ['authorization_code', 'client_credentials'],
        tokenEndpointAuthMethod: 'client_secret_post',
      });
      expect(validate({}, m2m)).toEqual(redirected('unauthorized_client', /Non-interactive/));
    });

    it('checks response_type before anything else it redirects for', () => {
      expect(
        validate({ response_type: 'token', scope: 'bogus', code_challenge_method: 'plain' }),
      ).toMatchObject({
        error: 'unsupported_response_type',
      });
    });

    it('leaves state out when there was none, or it was repeated', () => {
      expect(validate({ state: undefined, response_type: 'token' })).toMatchObject({ state: null });
      expect(validate({ state: ['a', 'b'] })).toEqual(
        redirected('invalid_request', /state .*repeated/, null),
      );
    });

    it('redirects to a native app callback with a private-use scheme', () => {
      expect(validate({ redirect_uri: NATIVE_CALLBACK, response_type: 'token' })).toMatchObject({
        kind: 'error-redirect',
        redirectUri: NATIVE_CALLBACK,
      });
    });
  });

  describe('accepted requests', () => {
    it('lets a confidential client skip PKCE', () => {
      const web = client({ appType: 'regular_web', tokenEndpointAuthMethod: 'client_secret_post' });
      const outcome = validate({ code_challenge: undefined, code_challenge_method: undefined }, web);
      expect(outcome).toMatchObject({
        kind: 'login',
        request: { codeChallenge: null, codeChallengeMethod: null },
      });
    });

    it('takes no scope, or scopes without openid, and passes them through deduplicated', () => {
      expect(validate({ scope: undefined, device: undefined })).toMatchObject({ request: { scope: '' } });
      expect(validate({ scope: 'email  email profile', device: undefined })).toMatchObject({
        request: { scope: 'email profile', device: null },
      });
    });

    it('accepts a device of exactly 255 characters, counted as characters not bytes', () => {
      expect(validate({ device: 'é'.repeat(255) }).kind).toBe('login');
      expect(validate({ device: '📱'.repeat(255) }).kind).toBe('login');
    });

    it('ignores audience and prompt=login', () => {
      expect(validate({ audience: 'https://api.example.com', prompt: 'login consent' }).kind).toBe('login');
    });

    it('accepts again the query rebuilt from an accepted request (the login form re-checks it)', () => {
      const first = validate({});
      if (first.kind !== 'login') throw new Error('expected login');
      expect(validateAuthorizeRequest(queryOf(first.request), client())).toEqual(first);
      const minimal = validate({ state: undefined, nonce: undefined, scope: undefined, device: undefined });
      if (minimal.kind !== 'login') throw new Error('expected login');
      expect(validateAuthorizeRequest(queryOf(minimal.request), client())).toEqual(minimal);
    });
  });
});
