import { RefreshTokenRefused } from '@libs/domain';
import { delegationFailure } from './delegation-failure';

const request = { via: 'refresh_token' as const, client: { clientId: 'app-b' }, ip: '10.0.0.7' };

describe('delegationFailure', () => {
  it('records an unknown token with no credential', () => {
    expect(delegationFailure(new RefreshTokenRefused('unknown_token'), request, 'req-1')).toEqual({
      endpoint: 'refresh_token',
      clientId: 'app-b',
      credentialId: null,
      userId: null,
      deviceName: null,
      reason: 'unknown_token',
      ip: '10.0.0.7',
      correlationId: 'req-1',
    });
  });

  it('names the credential a known token belongs to, and the client that presented it', () => {
    const credential = { credentialId: 'dcr_A', userId: 'auth0|u', clientId: 'app-a', deviceName: 'Pixel' };
    const failure = delegationFailure(new RefreshTokenRefused('wrong_client', credential), request, 'req-2');
    expect(failure).toMatchObject({
      clientId: 'app-b',
      credentialId: 'dcr_A',
      userId: 'auth0|u',
      deviceName: 'Pixel',
      reason: 'wrong_client',
    });
  });
});
