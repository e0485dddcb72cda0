import { parseDelegationRequest } from './delegation-request';

const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('parseDelegationRequest', () => {
  it('reads what Auth0.Android sends (api_type absent → app)', () => {
    expect(parseDelegationRequest({ client_id: 'c', grant_type: grant, refresh_token: 'rt' })).toEqual({
      clientId: 'c',
      refreshToken: 'rt',
      idToken: undefined,
      target: undefined,
      scope: undefined,
      apiType: 'app',
    });
  });

  it('reads what auth0.js v7 sends', () => {
    const body = {
      grant_type: grant,
      client_id: 'c',
      target: 'c',
      api_type: 'auth0',
      refresh_token: 'rt',
      scope: 'passthrough',
    };
    expect(parseDelegationRequest(body)).toMatchObject({
      target: 'c',
      apiType: 'auth0',
      scope: 'passthrough',
    });
  });

  it.each([
    [{ grant_type: grant, refresh_token: 'rt' }, 'invalid_request', /client_id/],
    [{ client_id: 'c', refresh_token: 'rt' }, 'invalid_request', /grant_type/],
    [{ client_id: 'c', grant_type: 'password', refresh_token: 'rt' }, 'unsupported_grant_type', /jwt-bearer/],
    [{ client_id: 'c', grant_type: grant }, 'invalid_request', /refresh_token or id_token/],
    [{ client_id: 'c', grant_type: grant, refresh_token: 'a', id_token: 'b' }, 'invalid_request', /not both/],
    [{ client_id: 'c', grant_type: grant, refresh_token: 'a', api_type: 'x' }, 'invalid_request', /api_type/],
    [{ client_id: ['c', 'd'], grant_type: grant, refresh_token: 'a' }, 'invalid_request', /single string/],
    [{ client_id: 'c', grant_type: grant, refresh_token: { $ne: 1 } }, 'invalid_request', /single string/],
  ])('refuses %p with %s', (body, error, description) => {
    try {
      parseDelegationRequest(body);
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as { error: string }).error).toBe(error);
      expect((e as Error).message).toMatch(description);
    }
  });
});
