import { createHash, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { AppConfig } from '@libs/config';
import { OAuthError } from '@libs/platform';
import { DpopNonces, DpopProofVerifier, MemoryDpopReplayCache } from '@libs/security';
import type { User } from '@libs/tenants';
import type { UserAccessTokenVerifier } from '../token/user-access-token.verifier';
import { UserinfoController } from './userinfo.controller';

const PUBLIC_URL = 'https://auth.example.com';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.sig';
const user = { userId: 'auth0|0123456789abcdef01234567', email: 'ada@example.com', name: 'Ada' } as User;

let privateKey: CryptoKey;
let jwk: JWK;
let jkt: string;

beforeAll(async () => {
  const keys = await generateKeyPair('ES256');
  privateKey = keys.privateKey;
  jwk = await exportJWK(keys.publicKey);
  jkt = await calculateJwkThumbprint(jwk, 'sha256');
});

const nonces = new DpopNonces(Buffer.alloc(32, 3));

function controller(nonceRequired: boolean) {
  const accessTokens = {
    inForce: () =>
      Promise.resolve({ claims: { sub: user.userId, scope: 'openid email', cnf: { jkt } }, user }),
  } as unknown as UserAccessTokenVerifier;
  const verifier = new DpopProofVerifier(new MemoryDpopReplayCache(), nonces);
  const config = { publicUrl: PUBLIC_URL, dpopNonceRequired: nonceRequired } as AppConfig;
  return new UserinfoController(accessTokens, verifier, config);
}

const proof = (claims: Record<string, unknown> = {}) =>
  new SignJWT({
    htm: 'GET',
    htu: `${PUBLIC_URL}/userinfo`,
    jti: randomUUID(),
    ath: createHash('sha256').update(TOKEN).digest('base64url'),
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .sign(privateKey);

const request = (dpop: string) =>
  ({
    method: 'GET',
    headers: { authorization: `DPoP ${TOKEN}`, dpop },
    headersDistinct: { authorization: [`DPoP ${TOKEN}`], dpop: [dpop] },
  }) as unknown as Request;

describe('UserinfoController with DPOP_NONCE_REQUIRED (RFC 9449 §9)', () => {
  it('issue 19 finding 8: asks for the server nonce with a DPoP challenge, then accepts a proof carrying it', async () => {
    const userinfo = controller(true);
    const refused = await userinfo.userinfo(request(await proof())).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ error: 'use_dpop_nonce' });
    expect((refused as OAuthError).getStatus()).toBe(401);
    const headers = (refused as OAuthError).headers;
    expect(headers['WWW-Authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect(headers['DPoP-Nonce']).toBe(nonces.issue());

    const answered = await userinfo.userinfo(request(await proof({ nonce: headers['DPoP-Nonce'] })));
    expect(answered).toMatchObject({ sub: user.userId, email: user.email });
  });
});
