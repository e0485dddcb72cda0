import { ManagementApiError } from '../errors/management-api.error';
import { selectionOf } from './refresh-token-revocations';

describe('selectionOf (the body of POST /api/v2/refresh-tokens/revoke)', () => {
  it('selects listed ids, a user, or a user of one application', () => {
    expect(selectionOf({ ids: ['dcr_a', 'dcr_b'] })).toEqual({ ids: ['dcr_a', 'dcr_b'] });
    expect(selectionOf({ user_id: 'auth0|u' })).toEqual({ userId: 'auth0|u' });
    expect(selectionOf({ user_id: 'auth0|u', client_id: 'app' })).toEqual({
      userId: 'auth0|u',
      clientId: 'app',
    });
  });

  it.each([
    [{}, 'One of ids or user_id is required'],
    [{ client_id: 'app' }, 'client_id requires user_id'],
    [{ ids: ['dcr_a'], user_id: 'auth0|u' }, 'ids cannot be combined with user_id or client_id'],
    [{ ids: ['dcr_a'], client_id: 'app' }, 'ids cannot be combined with user_id or client_id'],
  ])('refuses %j with invalid_body', (body, detail) => {
    const refusal = (() => {
      try {
        selectionOf(body);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ManagementApiError);
    expect(refusal).toMatchObject({
      code: 'invalid_body',
      message: `Payload validation error: '${detail}'.`,
    });
  });
});
