import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { hashSecret, SecretKeys } from '@libs/security';
import { PasswordHashing } from '../passwords/password-hashing';
import { CLIENT_ID, newClientId, newClientSecret, type Client } from './client';
import { ClientSecrets } from './client-secrets';

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

  const OLD_SECRET = 'an-old-server-secret-of-this-spec-0123456789';
  const NEW_SECRET = 'a-new-server-secret-of-this-spec-0123456789';
  const passwords = new PasswordHashing({ concurrency: 1, queue: 4, retryAfterSeconds: 1 });
  const secrets = (current = NEW_SECRET, previous: string[] = []) =>
    new ClientSecrets(new SecretKeys(current, previous), passwords);

  it('issue 19 finding 2: stores a secret as a keyed hash bound to its client, checked without scrypt', async () => {
    const s = secrets();
    const c = client({});
    const stored = s.hash(c.clientId, 's3cret-value-of-the-client');
    expect(stored).toMatch(/^hmac-sha256\$[0-9a-f]{8}\$[A-Za-z0-9_-]{43}$/);
    expect(s.hash(c.clientId, 's3cret-value-of-the-client')).toBe(stored);
    const hashed = client({ clientId: c.clientId, clientSecretHash: stored });
    expect(s.isKeyed(hashed)).toBe(true);
    // Checked without scrypt: the password-hashing gate is never asked (no timing: a loaded machine varies).
    const scrypt = jest.spyOn(passwords, 'verify');
    expect(await s.verify(hashed, 's3cret-value-of-the-client')).toEqual({ verified: true, rehash: null });
    expect(await s.verify(hashed, 'wrong')).toEqual({ verified: false });
    expect(scrypt).not.toHaveBeenCalled();
    scrypt.mockRestore();
    // Copied onto another client, the hash does not verify there.
    expect(await s.verify(client({ clientSecretHash: stored }), 's3cret-value-of-the-client')).toEqual({
      verified: false,
    });
    expect(
      await s.verify({ ...hashed, tokenEndpointAuthMethod: 'none' }, 's3cret-value-of-the-client'),
    ).toEqual({ verified: false });
    expect(await s.verify(client({ clientSecretHash: null }), '')).toEqual({ verified: false });
  });

  it('still verifies an scrypt hash stored before, and says which keyed hash to store instead', async () => {
    const s = secrets();
    const c = client({ clientSecretHash: await hashSecret('s3cret-value-of-the-client') });
    expect(s.isKeyed(c)).toBe(false);
    expect(await s.verify(c, 's3cret-value-of-the-client')).toEqual({
      verified: true,
      rehash: s.hash(c.clientId, 's3cret-value-of-the-client'),
    });
    expect(await s.verify(c, 'wrong')).toEqual({ verified: false });
  });

  it('verifies a keyed hash made under a previous server secret and hashes it anew; without it, not at all', async () => {
    const c = client({});
    const stored = secrets(OLD_SECRET).hash(c.clientId, 'the-secret');
    const rotated = secrets(NEW_SECRET, [OLD_SECRET]);
    const hashed = { ...c, clientSecretHash: stored };
    expect(await rotated.verify(hashed, 'the-secret')).toEqual({
      verified: true,
      rehash: rotated.hash(c.clientId, 'the-secret'),
    });
    expect(rotated.isCurrentForm(stored)).toBe(false);
    expect(rotated.isCurrentForm(rotated.hash(c.clientId, 'the-secret'))).toBe(true);
    expect(await secrets(NEW_SECRET).verify(hashed, 'the-secret')).toEqual({ verified: false });
  });

  it('recovers the current hash from the sealed copy (the boot upgrade), or answers null', () => {
    const keys = new SecretKeys(NEW_SECRET);
    const s = new ClientSecrets(keys, passwords);
    const sealed = keys.sealClientSecret('client-a', 'the-secret');
    expect(s.rehashFromSealed('client-a', 'scrypt$legacy', sealed)).toBe(s.hash('client-a', 'the-secret'));
    expect(s.rehashFromSealed('client-a', s.hash('client-a', 'the-secret'), sealed)).toBeNull();
    expect(s.rehashFromSealed('client-a', 'scrypt$legacy', null)).toBeNull();
    expect(s.rehashFromSealed('client-b', 'scrypt$legacy', sealed)).toBeNull();
  });
});
