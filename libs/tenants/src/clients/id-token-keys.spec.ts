import { SecretKeys } from '@libs/security';
import type { Client } from './client';
import { Hs256SecretUnavailable, IdTokenKeys } from './id-token-keys';

describe('IdTokenKeys', () => {
  const secretKeys = new SecretKeys('x'.repeat(40));
  const keys = new IdTokenKeys(secretKeys);
  const secret = 'the-client-secret-'.padEnd(64, 'z');
  const client = (changes: Partial<Client>): Client =>
    ({ clientId: 'web', idTokenAlg: 'RS256', idTokenLifetimeSeconds: 600, ...changes }) as Client;

  it('signs RS256 and ES256 clients with the tenant key', () => {
    expect(keys.signOptions(client({ idTokenAlg: 'ES256' }))).toEqual({ alg: 'ES256', lifetimeSeconds: 600 });
    expect(keys.verificationKey(client({}))).toBeUndefined();
  });

  it('signs an HS256 client with the UTF-8 bytes of its secret, opened from the sealed form', () => {
    const sealed = secretKeys.sealClientSecret('web', secret);
    expect(sealed).not.toContain(secret);
    const hs256 = client({ idTokenAlg: 'HS256', clientSecretCipher: sealed });
    expect(keys.signOptions(hs256)).toEqual({
      alg: 'HS256',
      key: new TextEncoder().encode(secret),
      lifetimeSeconds: 600,
    });
    expect(keys.verificationKey(hs256)).toEqual(new TextEncoder().encode(secret));
  });

  it('refuses HS256 for a client whose secret is only hashed (created before sealing; rotate it)', () => {
    expect(() => keys.signOptions(client({ idTokenAlg: 'HS256', clientSecretCipher: null }))).toThrow(
      Hs256SecretUnavailable,
    );
  });

  it('refuses a sealed secret copied onto another client', () => {
    const sealed = secretKeys.sealClientSecret('other', secret);
    expect(() => keys.signOptions(client({ idTokenAlg: 'HS256', clientSecretCipher: sealed }))).toThrow(
      /Cannot open a sealed secret/,
    );
  });
});
