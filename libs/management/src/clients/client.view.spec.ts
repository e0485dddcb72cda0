import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { toClientView } from './client.view';

describe('toClientView', () => {
  it("returns Auth0's snake_case shape and never the secret hash", () => {
    const view = toClientView({
      clientId: 'abc',
      name: 'App',
      description: 'd',
      appType: 'native',
      callbacks: ['com.example.app://callback'],
      webOrigins: [],
      allowedOrigins: [],
      grantTypes: ['authorization_code'],
      tokenEndpointAuthMethod: 'client_secret_post',
      clientSecretHash: 'scrypt$32768$8$1$salt$hash',
      idTokenLifetimeSeconds: 600,
      idTokenAlg: 'ES256',
      managementScopes: [],
      refreshToken: {
        ...LEGACY_REFRESH_TOKEN_POLICY,
        rotation_type: 'rotating',
        expiration_type: 'expiring',
      },
      createdAt: new Date(),
    });
    expect(view).toEqual({
      client_id: 'abc',
      name: 'App',
      description: 'd',
      app_type: 'native',
      callbacks: ['com.example.app://callback'],
      web_origins: [],
      allowed_origins: [],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      jwt_configuration: { lifetime_in_seconds: 600, alg: 'ES256' },
      management_api_scopes: [],
      refresh_token: {
        rotation_type: 'rotating',
        expiration_type: 'expiring',
        leeway: 0,
        token_lifetime: 31_557_600,
        infinite_token_lifetime: true,
        idle_token_lifetime: 2_592_000,
        infinite_idle_token_lifetime: true,
      },
      require_proof_of_possession: false,
      allowed_clients: [],
      is_first_party: true,
      oidc_conformant: true,
    });
    expect(JSON.stringify(view)).not.toContain('scrypt');
  });
});
