import type { JWTPayload } from 'jose';
import { credentialDecider, type CredentialEvent, type CredentialState } from '@libs/domain';
import type { SignedToken } from '@libs/jwt';
import type { Client } from '@libs/tenants';
import { tokenIssued, tokenRevoked } from '@libs/testing';
import type { CredentialResolver } from '../credential-resolver';
import { IdTokenProvenance } from './id-token-provenance';
import type { IssuedIdTokens } from './issued-id-tokens';

const fold = (events: CredentialEvent[]): CredentialState =>
  events.reduce(credentialDecider.evolve, credentialDecider.initialState);

/** A token whose header says `alg`: the provenance reads only the header, the caller verified the rest. */
const tokenWith = (alg: 'HS256' | 'RS256') =>
  `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.e30.sig`;

describe('IdTokenProvenance (issue 19 finding 9)', () => {
  const recorded = new Set<string>();
  const issued = {
    record: jest.fn(async (token: { jti: string }, clientId: string, userId: string) => {
      recorded.add(`${token.jti}|${clientId}|${userId}`);
    }),
    isRecorded: jest.fn(async (jti: string, clientId: string, userId: string) =>
      recorded.has(`${jti}|${clientId}|${userId}`),
    ),
  };
  const streams = new Map<string, CredentialState>([
    ['dcr_web', fold([tokenIssued('dcr_web', { client_id: 'web', user_id: 'auth0|ada' })])],
    ['dcr_app', fold([tokenIssued('dcr_app', { client_id: 'app', user_id: 'auth0|ada' })])],
    [
      'dcr_revoked',
      fold([
        tokenIssued('dcr_revoked', { client_id: 'web', user_id: 'auth0|ada' }),
        tokenRevoked('dcr_revoked', { client_id: 'web', user_id: 'auth0|ada' }),
      ]),
    ],
  ]);
  const resolver = {
    byId: async (id: string) => ({ state: streams.get(id) ?? credentialDecider.initialState }),
  };
  const provenance = new IdTokenProvenance(
    issued as unknown as IssuedIdTokens,
    resolver as unknown as CredentialResolver,
  );
  const hs256 = { clientId: 'web', idTokenAlg: 'HS256' } as Client;
  const rs256 = { clientId: 'app', idTokenAlg: 'RS256' } as Client;
  const signed = (jti: string) => ({ jti, exp: Math.floor(Date.now() / 1000) + 600 }) as SignedToken;
  const claims = (extra: JWTPayload): JWTPayload => ({ sub: 'auth0|ada', aud: 'web', azp: 'web', ...extra });

  beforeEach(() => {
    recorded.clear();
    issued.record.mockClear();
  });

  it('records an HS256 token bound to no credential of its audience, and only that', async () => {
    await provenance.recordSigned(signed('unbound'), hs256, 'auth0|ada');
    await provenance.recordSigned(signed('other-target'), hs256, 'auth0|ada', 'app');
    await provenance.recordSigned(signed('own-credential'), hs256, 'auth0|ada', 'web');
    await provenance.recordSigned(signed('rs256'), rs256, 'auth0|ada');
    expect(issued.record.mock.calls.map(([token]) => token.jti)).toEqual(['unbound', 'other-target']);
  });

  it('believes an unbound HS256 token only when its jti was recorded for that audience and user', async () => {
    await provenance.recordSigned(signed('jti-1'), hs256, 'auth0|ada');
    const token = tokenWith('HS256');
    expect(await provenance.isRecorded(token, claims({ jti: 'jti-1' }), 'web')).toBe(true);
    expect(await provenance.isRecorded(token, claims({ jti: 'forged' }), 'web')).toBe(false);
    expect(await provenance.isRecorded(token, claims({ jti: 'jti-1', sub: 'auth0|bob' }), 'web')).toBe(false);
    expect(await provenance.isRecorded(token, claims({}), 'web')).toBe(false);
    // The tenant's own keys sign RS256: nobody else can, so the signature is the proof.
    expect(await provenance.isRecorded(tokenWith('RS256'), claims({}), 'app')).toBe(true);
  });

  it('at /tokeninfo, wants a bound token’s credential in force, of its user and of its audience or recorded', async () => {
    const token = tokenWith('HS256');
    expect(await provenance.inForce(token, claims({ credential_id: 'dcr_web' }), 'web')).toBe(true);
    expect(await provenance.inForce(token, claims({ credential_id: 'dcr_revoked' }), 'web')).toBe(false);
    expect(await provenance.inForce(token, claims({ credential_id: 'dcr_unknown' }), 'web')).toBe(false);
    expect(
      await provenance.inForce(token, claims({ credential_id: 'dcr_web', sub: 'auth0|bob' }), 'web'),
    ).toBe(false);
    // The victim's credential at another client, named by a token signed with web's secret.
    const foreign = claims({ credential_id: 'dcr_app', azp: 'app', jti: 'jti-2' });
    expect(await provenance.inForce(token, foreign, 'web')).toBe(false);
    expect(await provenance.inForce(token, { ...foreign, azp: 'web' }, 'web')).toBe(false);
    // The same, as a delegation from app to web actually issued it: recorded when signed.
    await provenance.recordSigned(signed('jti-2'), hs256, 'auth0|ada', 'app');
    expect(await provenance.inForce(token, foreign, 'web')).toBe(true);
  });
});
