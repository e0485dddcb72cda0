import type { CommandBus } from '@nestjs/cqrs';
import type { IdTokenProvenance } from '@libs/credentials';
import type { AppConfig } from '@libs/config';
import type { TokenSigner } from '@libs/jwt';
import { DpopProofError } from '@libs/security';
import type { Client, IdTokenKeys, User } from '@libs/tenants';
import { UserTokens } from './user-tokens';

const user = { userId: 'auth0|0123456789abcdef01234567', email: 'ada@example.com' } as User;
const client = (requireProofOfPossession: boolean) =>
  ({
    clientId: 'app',
    grantTypes: ['password', 'refresh_token'],
    requireProofOfPossession,
    idTokenAlg: 'RS256',
    idTokenLifetimeSeconds: 36_000,
  }) as unknown as Client;

function tokens() {
  const signed: Record<string, unknown>[] = [];
  const signer = {
    sign: (claims: Record<string, unknown>) => {
      signed.push(claims);
      return Promise.resolve({ token: `token-${signed.length}`, jti: 'j', iat: 0, exp: 1 });
    },
  } as unknown as TokenSigner;
  const recorded: unknown[] = [];
  const commands = {
    execute: (command: unknown) => {
      recorded.push(command);
      return Promise.resolve({ refreshToken: 'rt', credentialId: 'dcr_1' });
    },
  } as unknown as CommandBus;
  const idTokenKeys = {
    signOptions: () => ({ alg: 'RS256', lifetimeSeconds: 36_000 }),
  } as unknown as IdTokenKeys;
  const config = { publicUrl: 'https://auth.example.com' } as AppConfig;
  const provenance = { recordSigned: () => Promise.resolve() } as unknown as IdTokenProvenance;
  return {
    userTokens: new UserTokens(signer, commands, config, idTokenKeys, provenance),
    signed,
    recorded,
  };
}

describe('UserTokens', () => {
  const request = (requireProofOfPossession: boolean) => ({
    client: client(requireProofOfPossession),
    user,
    scope: 'openid offline_access',
    device: 'Pixel 9',
    grant: 'password' as const,
  });

  it('issue 19 finding 7: mints nothing for a client that requires proof of possession without a proof key', async () => {
    const { userTokens, signed, recorded } = tokens();
    await expect(userTokens.issue(request(true), { correlationId: 'c' })).rejects.toBeInstanceOf(
      DpopProofError,
    );
    await expect(userTokens.accessToken(user, client(true), 'openid')).rejects.toBeInstanceOf(DpopProofError);
    // No bearer token signed, no refresh token recorded.
    expect(signed).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('binds every token of such a client to the proof key', async () => {
    const { userTokens, signed, recorded } = tokens();
    const issued = await userTokens.issue(request(true), { correlationId: 'c', jkt: 'thumbprint' });
    expect(issued.response.token_type).toBe('DPoP');
    expect(signed[0]).toMatchObject({ cnf: { jkt: 'thumbprint' } });
    expect(recorded).toHaveLength(1);
  });

  it('still issues bearer tokens to a client that does not require proof of possession', async () => {
    const { userTokens } = tokens();
    const issued = await userTokens.issue(request(false), { correlationId: 'c' });
    expect(issued.response).toMatchObject({ token_type: 'Bearer', refresh_token: 'rt' });
  });
});
