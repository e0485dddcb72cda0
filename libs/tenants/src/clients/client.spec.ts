import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { hashSecret } from '@libs/security';
import { CLIENT_ID, newClientId, newClientSecret, verifyClientSecret, type Client } from './client';

const client = (overrides: Partial<Client>): Client => ({
  clientId: newClientId(),
  name: 'A',
  description: '',
  appType: 'regular_web',
  callbacks: [],
  webOrigins: [],
  allowedOrigins: [],
  grantTypes: ['client_credentials'],
  tokenEndpointAuthMethod: 'client_secret_post',
  clientSecretHash: null,
  idTokenLifetimeSeconds: 36000,
  idTokenAlg: 'RS256',
  managementScopes: [],
  refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY },
  createdAt: new Date(),
  ...overrides,
});

describe('client credentials', () => {
  it('makes Auth0-style client ids: 32 alphanumeric characters, never repeated', () => {
    const ids = new Set(Array.from({ length: 500 }, newClientId));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(CLIENT_ID);
  });

  it('makes client secrets of at least 256 random bits, base64url', () => {
    const secret = newClientSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(secret, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
    expect(newClientSecret()).not.toBe(secret);
  });

  it('verifies a secret against its hash, and never for a public client', async () => {
    const hash = await hashSecret('s3cret-value-of-the-client');
    await expect(
      verifyClientSecret(client({ clientSecretHash: hash }), 's3cret-value-of-the-client'),
    ).resolves.toBe(true);
    await expect(verifyClientSecret(client({ clientSecretHash: hash }), 'wrong')).resolves.toBe(false);
    await expect(
      verifyClientSecret(
        client({ tokenEndpointAuthMethod: 'none', clientSecretHash: hash }),
        's3cret-value-of-the-client',
      ),
    ).resolves.toBe(false);
    await expect(verifyClientSecret(client({ clientSecretHash: null }), '')).resolves.toBe(false);
  });
});
