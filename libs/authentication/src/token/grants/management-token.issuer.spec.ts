import type { JWTPayload } from 'jose';
import type { AppConfig } from '@libs/config';
import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { TokenSigner, type SignedToken, type SignOptions } from '@libs/jwt';
import type { Client } from '@libs/tenants';
import { grantedManagementScopes, ManagementTokenIssuer } from './management-token.issuer';

const client = (overrides: Partial<Client> = {}): Client => ({
  clientId: 'm2mClient0000000000000000000000a',
  name: 'M2M',
  description: '',
  appType: 'non_interactive',
  callbacks: [],
  webOrigins: [],
  allowedOrigins: [],
  grantTypes: ['client_credentials'],
  tokenEndpointAuthMethod: 'client_secret_post',
  clientSecretHash: 'hash',
  idTokenLifetimeSeconds: 36000,
  idTokenAlg: 'RS256',
  managementScopes: ['read:users', 'create:users', 'read:clients'],
  refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY },
  createdAt: new Date(),
  ...overrides,
});

class RecordingSigner extends TokenSigner {
  calls: Array<{ claims: JWTPayload; options: SignOptions }> = [];

  async sign(claims: JWTPayload, options: SignOptions): Promise<SignedToken> {
    this.calls.push({ claims, options });
    return {
      token: 'signed.jwt.value',
      jti: 'jti',
      kid: 'kid',
      iat: 1000,
      exp: 1000 + options.lifetimeSeconds,
    };
  }
}

describe('grantedManagementScopes', () => {
  it('grants every granted scope when none is requested', () => {
    expect(grantedManagementScopes(client())).toEqual(['read:users', 'create:users', 'read:clients']);
    expect(grantedManagementScopes(client(), '')).toEqual(['read:users', 'create:users', 'read:clients']);
  });

  it('grants the requested subset, in the order granted', () => {
    expect(grantedManagementScopes(client(), 'read:clients read:users read:users')).toEqual([
      'read:users',
      'read:clients',
    ]);
  });

  it('refuses a scope the client was not granted with access_denied naming it', () => {
    expect(() => grantedManagementScopes(client(), 'read:users delete:users openid')).toThrow(
      expect.objectContaining({
        error: 'access_denied',
        message: 'Client has not been granted scopes: delete:users, openid',
      }),
    );
  });

  it('refuses a client without Management API scopes, or without the client_credentials grant', () => {
    expect(() => grantedManagementScopes(client({ managementScopes: [] }))).toThrow(
      expect.objectContaining({ error: 'access_denied' }),
    );
    expect(() => grantedManagementScopes(client({ grantTypes: ['authorization_code'] }))).toThrow(
      expect.objectContaining({ error: 'unauthorized_client' }),
    );
  });
});

describe('ManagementTokenIssuer', () => {
  it('signs an RS256 at+jwt for <client_id>@clients with the Management API audience', async () => {
    const signer = new RecordingSigner();
    const issuer = new ManagementTokenIssuer(signer, {
      publicUrl: 'https://tenant.example.com',
    } as AppConfig);
    const token = await issuer.issue(client(), 'read:users');
    expect(token).toEqual({
      access_token: 'signed.jwt.value',
      token_type: 'Bearer',
      expires_in: 86400,
      scope: 'read:users',
    });
    expect(signer.calls).toEqual([
      {
        claims: {
          sub: 'm2mClient0000000000000000000000a@clients',
          aud: 'https://tenant.example.com/api/v2/',
          azp: 'm2mClient0000000000000000000000a',
          scope: 'read:users',
          gty: 'client-credentials',
        },
        options: { alg: 'RS256', lifetimeSeconds: 86400, typ: 'at+jwt' },
      },
    ]);
  });

  it('signs nothing when the scope is refused', async () => {
    const signer = new RecordingSigner();
    const issuer = new ManagementTokenIssuer(signer, { publicUrl: 'https://t.example.com' } as AppConfig);
    await expect(issuer.issue(client(), 'delete:clients')).rejects.toMatchObject({ error: 'access_denied' });
    expect(signer.calls).toEqual([]);
  });
});
