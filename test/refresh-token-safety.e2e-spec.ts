import { createHash, randomUUID } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Client } from 'pg';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import {
  delegate,
  delegateIdToken,
  INVALID_REFRESH_TOKEN,
  nativeClient,
  PASSWORD,
  passwordLogin,
  refreshGrant,
} from './fixtures/oauth';

/** A rotating, expiring policy (Auth0's `refresh_token` client object); `changes` override it. */
const rotating = (changes: Record<string, unknown> = {}) => ({
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  leeway: 0,
  token_lifetime: 86_400,
  infinite_token_lifetime: false,
  idle_token_lifetime: 3_600,
  infinite_idle_token_lifetime: false,
  ...changes,
});

/**
 * Issue 13 over HTTP, against the running api and projector on the real broker and database: per-client
 * policies, rotation with reuse detection (and the concurrent-use race decided in the event store),
 * expiry, the 200-token limit, and DPoP-bound refresh tokens with real proofs made by jose.
 */
describe('refresh-token safety: rotation, expiry, limits, DPoP (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let db: Client;

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    db = new Client({ connectionString: system.db.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  /** A native client with `policy`, a fresh user, and that user's first refresh token of the client. */
  async function login(name: string, policy?: Record<string, unknown>, headers: Record<string, string> = {}) {
    const settings = policy ? { refresh_token: policy } : {};
    const { client_id: clientId } = await nativeClient(tenant, name, undefined, settings);
    const user = await tenant.createUser(`${name}-${randomUUID()}@example.com`, PASSWORD);
    const tokens = await passwordLogin(tenant, clientId, user.email, 'Pixel 9', {}, headers);
    return { clientId, user, tokens: tokens as typeof tokens & { token_type: string } };
  }

  /** The events of the credentials issued to `clientId` (one family in these tests), in stream order. */
  async function streamOf(clientId: string) {
    const { rows } = await db.query<{ stream_id: string; type: string; data: Record<string, unknown> }>(
      `SELECT e.stream_id, e.type, e.data FROM events e
        WHERE e.stream_id IN (SELECT stream_id FROM events WHERE type = 'TokenIssued' AND data ->> 'client_id' = $1)
        ORDER BY e.stream_version`,
      [clientId],
    );
    return { id: rows[0]?.stream_id, types: rows.map((r) => r.type), data: rows.map((r) => r.data) };
  }

  describe('the per-client policy (Management API)', () => {
    it('is stored and returned as Auth0 has it; a legacy client keeps the legacy default', async () => {
      const created = await nativeClient(tenant, 'policy', undefined, {
        refresh_token: rotating({ leeway: 5 }),
      });
      const got = await tenant.management('GET', `/clients/${created.client_id}`);
      expect(got.body.refresh_token).toMatchObject(rotating({ leeway: 5 }));
      const legacy = await nativeClient(tenant, 'legacy-policy');
      expect(
        (await tenant.management('GET', `/clients/${legacy.client_id}`)).body.refresh_token,
      ).toMatchObject({
        rotation_type: 'non-rotating',
        expiration_type: 'non-expiring',
      });
    });

    it('is validated as Auth0 validates it: rotation requires expiring tokens', async () => {
      const res = await tenant.management('POST', '/clients', {
        name: 'bad-policy',
        app_type: 'native',
        refresh_token: rotating({ expiration_type: 'non-expiring' }),
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/expiring/);
    });

    it('issue 19 finding 5: a leeway over 300 s, or rotation with both lifetimes infinite, is refused', async () => {
      const create = (refresh_token: Record<string, unknown>) =>
        tenant.management('POST', '/clients', { name: 'capped', app_type: 'native', refresh_token });
      const long = await create(rotating({ leeway: 301 }));
      expect(long.status).toBe(400);
      expect(JSON.stringify(long.body)).toMatch(/refresh_token\.leeway/);
      expect((await create(rotating({ leeway: 300 }))).status).toBe(201);
      const forever = await create(
        rotating({ infinite_token_lifetime: true, infinite_idle_token_lifetime: true }),
      );
      expect(forever.status).toBe(400);
      expect(JSON.stringify(forever.body)).toMatch(/infinite/);
    });
  });

  describe('rotation with reuse detection', () => {
    it('each use returns a new token and retires the one presented; the new one works in turn', async () => {
      const { clientId, tokens } = await login('rotate', rotating({ leeway: 0 }));
      const first = await refreshGrant(tenant, clientId, tokens.refresh_token);
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).toEqual(expect.any(String));
      expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
      const second = await refreshGrant(tenant, clientId, first.body.refresh_token);
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
      const stream = await streamOf(clientId);
      expect(stream.types).toEqual([
        'TokenIssued',
        'TokenRotated',
        'IdTokenDelegated',
        'TokenRotated',
        'IdTokenDelegated',
      ]);
      // Only keyed hashes in the log, never the tokens.
      expect(JSON.stringify(stream.data)).not.toContain(first.body.refresh_token);
    });

    it('a retired token used after the leeway revokes the whole family, answered as Auth0 does', async () => {
      const { clientId, tokens } = await login('reuse', rotating({ leeway: 0 }));
      const rotated = await refreshGrant(tenant, clientId, tokens.refresh_token);
      expect(rotated.status).toBe(200);

      const replayed = await refreshGrant(tenant, clientId, tokens.refresh_token);
      expect(replayed.status).toBe(403);
      expect(replayed.body).toEqual(INVALID_REFRESH_TOKEN);
      // The family is gone: the newest token too.
      const newest = await refreshGrant(tenant, clientId, rotated.body.refresh_token);
      expect(newest.status).toBe(403);
      expect(newest.body).toEqual(INVALID_REFRESH_TOKEN);

      const stream = await streamOf(clientId);
      expect(stream.types.slice(-2)).toEqual(['RefreshTokenReused', 'TokenRevoked']);
      expect(stream.data.at(-1)).toMatchObject({ reason: 'refresh_token_reuse' });
      // The projector applies it: the view shows the family revoked.
      await eventually(async () => {
        const { rows } = await db.query(
          `SELECT status, revoke_reason FROM device_credentials WHERE id = $1`,
          [stream.id],
        );
        expect(rows[0]).toEqual({ status: 'revoked', revoke_reason: 'refresh_token_reuse' });
        return true;
      });
    });

    // The race behind Keycloak's CVE-2026-1035: N concurrent uses of one token. The event store decides
    // (one append per stream version), so the outcome is exact, never luck.
    const N = 10;

    it(`${N} concurrent uses with leeway 0: exactly one succeeds, the family is revoked once`, async () => {
      const { clientId, tokens } = await login('race-strict', rotating({ leeway: 0 }));
      const answers = await Promise.all(
        Array.from({ length: N }, () => refreshGrant(tenant, clientId, tokens.refresh_token)),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, ...Array<number>(N - 1).fill(403)]);
      const winner = answers.find((a) => a.status === 200)!;
      expect((await refreshGrant(tenant, clientId, winner.body.refresh_token)).status).toBe(403);
      const stream = await streamOf(clientId);
      expect(stream.types).toEqual([
        'TokenIssued',
        'TokenRotated',
        'IdTokenDelegated',
        'RefreshTokenReused',
        'TokenRevoked',
      ]);
    }, 60_000);

    // Auth0's rule: only the immediately previous token may be retried within the leeway, and a family has
    // one usable token — each retry's new token replaces the one issued before it. Before issue 19 every
    // retry minted another permanent, active branch of the family.
    it(`issue 19 finding 5: ${N} concurrent uses within the leeway leave exactly one usable token`, async () => {
      const { clientId, tokens } = await login('race-leeway', rotating({ leeway: 60 }));
      const answers = await Promise.all(
        Array.from({ length: N }, () => refreshGrant(tenant, clientId, tokens.refresh_token)),
      );
      // One rotation and at most 5 retries (the cap) succeed; the rest are refused, nothing revoked.
      const ok = answers.filter((a) => a.status === 200);
      expect(ok).toHaveLength(6);
      expect(answers.filter((a) => a.status === 403)).toHaveLength(N - 6);
      const stream = await streamOf(clientId);
      expect(stream.types.filter((t) => t === 'TokenRotated')).toHaveLength(6);
      expect(stream.types).not.toContain('TokenRevoked');
      // The usable one is the last recorded: the answer whose id_token that exchange recorded.
      const lastJti = stream.data
        .filter((_, i) => stream.types[i] === 'IdTokenDelegated')
        .at(-1)!.id_token_jti;
      const current = ok.find((a) => decodeJwt(a.body.id_token as string).jti === lastJti)!;
      const replaced = ok.filter((a) => a !== current).map((a) => a.body.refresh_token as string);
      expect(replaced).toHaveLength(5);
      const next = await refreshGrant(tenant, clientId, current.body.refresh_token as string);
      expect(next.status).toBe(200);
      // Every other token handed out was replaced: presenting one is a reuse, and revokes the family.
      for (const token of replaced) {
        const res = await refreshGrant(tenant, clientId, token);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(INVALID_REFRESH_TOKEN);
      }
      expect((await refreshGrant(tenant, clientId, next.body.refresh_token as string)).status).toBe(403);
      expect((await streamOf(clientId)).types.slice(-2)).toEqual(['RefreshTokenReused', 'TokenRevoked']);
    }, 60_000);

    it('issue 19 finding 5: the second-to-last token within the leeway revokes the family', async () => {
      const { clientId, tokens } = await login('second-to-last', rotating({ leeway: 60 }));
      const first = await refreshGrant(tenant, clientId, tokens.refresh_token);
      const second = await refreshGrant(tenant, clientId, first.body.refresh_token as string);
      expect([first.status, second.status]).toEqual([200, 200]);
      // The previous token may be retried; the one before it may not, leeway or not.
      const old = await refreshGrant(tenant, clientId, tokens.refresh_token);
      expect(old.status).toBe(403);
      expect((await refreshGrant(tenant, clientId, second.body.refresh_token as string)).status).toBe(403);
      const stream = await streamOf(clientId);
      expect(stream.types.slice(-2)).toEqual(['RefreshTokenReused', 'TokenRevoked']);
      expect(stream.data.at(-2)).toMatchObject({ retired_at: stream.data[1].rotated_at });
    });

    it("a legacy client's token neither rotates nor expires (the default for existing clients)", async () => {
      const { clientId, tokens } = await login('legacy');
      for (let i = 0; i < 3; i++) {
        const res = await refreshGrant(tenant, clientId, tokens.refresh_token);
        expect(res.status).toBe(200);
        expect(res.body.refresh_token).toBeUndefined();
      }
      expect((await streamOf(clientId)).types).not.toContain('TokenRotated');
    });
  });

  describe('expiry', () => {
    it('a token idle past its idle lifetime is refused, its expiry recorded and shown in the view', async () => {
      const { clientId, tokens } = await login('idle', rotating({ idle_token_lifetime: 1 }));
      await new Promise((r) => setTimeout(r, 1_200));
      const res = await refreshGrant(tenant, clientId, tokens.refresh_token);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(INVALID_REFRESH_TOKEN);
      const stream = await streamOf(clientId);
      expect(stream.types).toEqual(['TokenIssued', 'TokenExpired']);
      expect(stream.data[1]).toMatchObject({ lifetime: 'idle' });
      await eventually(async () => {
        const { rows } = await db.query(`SELECT status, expired_at FROM device_credentials WHERE id = $1`, [
          stream.id,
        ]);
        expect(rows[0]?.status).toBe('expired');
        expect(new Date(rows[0].expired_at).toISOString()).toBe(stream.data[1].expired_at);
        return true;
      });
      // Refused again without recording again.
      expect((await refreshGrant(tenant, clientId, tokens.refresh_token)).status).toBe(403);
      expect((await streamOf(clientId)).types).toHaveLength(2);
    });

    it('the absolute lifetime ends the family however active it is', async () => {
      const { clientId, tokens } = await login(
        'absolute',
        rotating({ token_lifetime: 2, idle_token_lifetime: 2, leeway: 0 }),
      );
      let token = tokens.refresh_token;
      const rotated = await refreshGrant(tenant, clientId, token);
      expect(rotated.status).toBe(200);
      token = rotated.body.refresh_token;
      await new Promise((r) => setTimeout(r, 2_200));
      expect((await refreshGrant(tenant, clientId, token)).status).toBe(403);
      const stream = await streamOf(clientId);
      expect(stream.types.at(-1)).toBe('TokenExpired');
      expect(stream.data.at(-1)).toMatchObject({ lifetime: 'absolute' });
    });
  });

  describe("issue 19 finding 6: /delegation's id_token form and a credential's id_token", () => {
    it('issue 19 finding 6: renews it only until its own exp (re-targeting, never extending)', async () => {
      const { clientId, tokens } = await login('renew-capped');
      const presented = decodeJwt(tokens.id_token);
      expect(presented.exp).toEqual(expect.any(Number));
      await new Promise((r) => setTimeout(r, 1_100)); // a renewal a second later would end a second later
      const renewed = await delegateIdToken(tenant, clientId, tokens.id_token);
      expect(renewed.status).toBe(200);
      expect(decodeJwt(renewed.body.id_token as string).exp).toBe(presented.exp);
      const again = await delegateIdToken(tenant, clientId, renewed.body.id_token as string);
      expect(decodeJwt(again.body.id_token as string).exp).toBe(presented.exp);
      expect(again.body.expires_in).toBeLessThanOrEqual(presented.exp! - Math.floor(Date.now() / 1000) + 1);
      // Both renewals were of the credential's id_token: recorded on its stream.
      expect((await streamOf(clientId)).types).toEqual([
        'TokenIssued',
        'IdTokenDelegated',
        'IdTokenDelegated',
      ]);
    });

    it('issue 19 finding 6: is refused for a rotating family, as the refresh-token form is', async () => {
      const { clientId, tokens } = await login('renew-rotating', rotating({ leeway: 0 }));
      const res = await delegateIdToken(tenant, clientId, tokens.id_token);
      expect(res.status).toBe(403);
      expect((await streamOf(clientId)).types).toEqual(['TokenIssued']);
    });

    it('issue 19 finding 6: is no use of the family: its idle lifetime keeps counting', async () => {
      const policy = { ...rotating({ idle_token_lifetime: 2 }), rotation_type: 'non-rotating' };
      const { clientId, tokens } = await login('renew-idle', policy);
      await new Promise((r) => setTimeout(r, 1_200));
      expect((await delegateIdToken(tenant, clientId, tokens.id_token)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000)); // 2.2 s after the login, 1 s after the renewal
      const res = await refreshGrant(tenant, clientId, tokens.refresh_token);
      expect(res.status).toBe(403);
      const stream = await streamOf(clientId);
      expect(stream.types).toEqual(['TokenIssued', 'IdTokenDelegated', 'TokenExpired']);
      expect(stream.data[1]).toMatchObject({ via: 'delegation_id_token' });
      expect(stream.data[2]).toMatchObject({ lifetime: 'idle' });
    });
  });

  it('the 201st active token of a user and application revokes the oldest, saying why', async () => {
    const { client_id: clientId } = await nativeClient(tenant, 'limit');
    const user = await tenant.createUser(`limit-${randomUUID()}@example.com`, PASSWORD);
    const oldest = await passwordLogin(tenant, clientId, user.email, 'device-0');
    // 199 more, a few at a time (each login costs a scrypt verification).
    for (let i = 1; i < 200; i += 5) {
      await Promise.all(
        Array.from({ length: Math.min(5, 200 - i) }, (_, k) =>
          passwordLogin(tenant, clientId, user.email, `device-${i + k}`),
        ),
      );
    }
    expect((await refreshGrant(tenant, clientId, oldest.refresh_token)).status).toBe(200); // 200: all in force
    await passwordLogin(tenant, clientId, user.email, 'device-200');
    expect((await refreshGrant(tenant, clientId, oldest.refresh_token)).status).toBe(403);
    const { rows } = await db.query<{ reason: string; n: string }>(
      `SELECT data ->> 'reason' AS reason, count(*) AS n FROM events
        WHERE type = 'TokenRevoked' AND data ->> 'client_id' = $1 GROUP BY 1`,
      [clientId],
    );
    expect(rows).toEqual([{ reason: 'token_limit_exceeded', n: '1' }]);
  }, 120_000);

  describe('DPoP (RFC 9449)', () => {
    const htu = () => `${system.url}/oauth/token`;
    async function keyPair() {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = await exportJWK(publicKey);
      return {
        proof: (htm = 'POST', url = htu(), claims: Record<string, unknown> = {}) =>
          new SignJWT({ htm, htu: url, jti: randomUUID(), ...claims })
            .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
            .setIssuedAt()
            .sign(privateKey),
      };
    }
    /** A proof for `GET /userinfo` with `accessToken` (RFC 9449 §4.2 `ath`). */
    const userinfoProof = (key: Awaited<ReturnType<typeof keyPair>>, accessToken: string) =>
      key.proof('GET', `${system.url}/userinfo`, {
        ath: createHash('sha256').update(accessToken).digest('base64url'),
      });
    const userinfo = (headers: Record<string, string>) => tenant.json('GET', '/userinfo', undefined, headers);
    /** A native client that requires proof of possession (Auth0's `require_proof_of_possession`). */
    async function dpopOnlyClient(name: string) {
      const { client_id: clientId } = await nativeClient(tenant, name, undefined, {
        require_proof_of_possession: true,
      });
      const user = await tenant.createUser(`${name}-${randomUUID()}@example.com`, PASSWORD);
      return { clientId, user };
    }
    const resourceOwner = (clientId: string, email: string, headers: Record<string, string> = {}) =>
      tenant.form(
        '/oauth/ro',
        {
          client_id: clientId,
          username: email,
          password: PASSWORD,
          connection: 'Username-Password-Authentication',
          grant_type: 'password',
          scope: 'openid offline_access',
          device: 'Legacy phone',
        },
        headers,
      );

    it('is advertised in discovery', async () => {
      const discovery = await tenant.json('GET', '/.well-known/openid-configuration');
      expect(discovery.body.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256']));
    });

    it('binds the refresh token to the proof key: later uses need a proof by that key', async () => {
      const key = await keyPair();
      const { clientId, tokens } = await login('dpop', undefined, { DPoP: await key.proof() });
      expect(tokens.token_type).toBe('DPoP');
      const stream = await streamOf(clientId);
      expect(stream.data[0].jkt).toEqual(expect.any(String));

      const withProof = await refreshGrant(
        tenant,
        clientId,
        tokens.refresh_token,
        {},
        { DPoP: await key.proof() },
      );
      expect(withProof.status).toBe(200);
      expect(withProof.body.token_type).toBe('DPoP');
      // Without a proof, or with another key's: refused as any unusable token is.
      const bare = await refreshGrant(tenant, clientId, tokens.refresh_token);
      expect(bare.status).toBe(403);
      expect(bare.body).toEqual(INVALID_REFRESH_TOKEN);
      const stranger = await keyPair();
      const other = await refreshGrant(
        tenant,
        clientId,
        tokens.refresh_token,
        {},
        { DPoP: await stranger.proof() },
      );
      expect(other.status).toBe(403);
    });

    it('a client may require it (require_proof_of_possession): a bearer request is refused', async () => {
      const { client_id: clientId } = await nativeClient(tenant, 'dpop-required', undefined, {
        require_proof_of_possession: true,
      });
      expect((await tenant.management('GET', `/clients/${clientId}`)).body.require_proof_of_possession).toBe(
        true,
      );
      const user = await tenant.createUser(`dpop-required-${randomUUID()}@example.com`, PASSWORD);
      const bearer = await passwordLogin(tenant, clientId, user.email).catch((e: Error) => e.message);
      expect(bearer).toMatch(/400.*invalid_dpop_proof/);
      const key = await keyPair();
      const bound = await passwordLogin(
        tenant,
        clientId,
        user.email,
        'Pixel 9',
        {},
        { DPoP: await key.proof() },
      );
      expect((bound as { token_type?: string }).token_type).toBe('DPoP');
    });

    it('issue 19 finding 7: a DPoP-only client gets no bearer token at /oauth/ro, nor an id_token at /delegation', async () => {
      const { clientId, user } = await dpopOnlyClient('dpop-only-legacy');
      const key = await keyPair();
      const unauthorized = expect.objectContaining({ error: 'unauthorized_client' });
      // /oauth/ro issues bearer tokens only: refused, with or without a proof.
      for (const headers of [
        {} as Record<string, string>,
        { DPoP: await key.proof('POST', `${system.url}/oauth/ro`) },
      ]) {
        const ro = await resourceOwner(clientId, user.email, headers);
        expect({ status: ro.status, body: ro.body }).toEqual({ status: 403, body: unauthorized });
      }
      // /delegation cannot carry a proof: neither form renews anything for such a client.
      const bound = await passwordLogin(
        tenant,
        clientId,
        user.email,
        'Pixel 9',
        {},
        { DPoP: await key.proof() },
      );
      for (const extra of [{} as Record<string, string>, { id_token: bound.id_token }]) {
        const refreshToken = 'id_token' in extra ? undefined : bound.refresh_token;
        const delegated = await delegate(tenant, clientId, refreshToken, extra, { DPoP: await key.proof() });
        expect({ status: delegated.status, body: delegated.body }).toEqual({
          status: 403,
          body: unauthorized,
        });
      }
      // Only key-bound tokens, at /oauth/token with a proof.
      const refreshed = await refreshGrant(
        tenant,
        clientId,
        bound.refresh_token,
        {},
        { DPoP: await key.proof() },
      );
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.token_type).toBe('DPoP');
      const types = (await streamOf(clientId)).types;
      expect(types.filter((t) => t === 'IdTokenDelegated')).toHaveLength(1);
    });

    it('issue 19 finding 7: a bearer family issued before its client required proof of possession is exchanged by no key', async () => {
      const { client_id: clientId } = await nativeClient(tenant, 'dpop-later');
      const user = await tenant.createUser(`dpop-later-${randomUUID()}@example.com`, PASSWORD);
      const bearer = await passwordLogin(tenant, clientId, user.email);
      const patched = await tenant.management('PATCH', `/clients/${clientId}`, {
        require_proof_of_possession: true,
      });
      expect(patched.status).toBe(200);
      const key = await keyPair();
      // The client cache applies the change within 5 s.
      await eventually(async () => {
        const res = await refreshGrant(
          tenant,
          clientId,
          bearer.refresh_token,
          {},
          { DPoP: await key.proof() },
        );
        expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: INVALID_REFRESH_TOKEN });
        return true;
      }, 15_000);
      expect((await delegate(tenant, clientId, bearer.refresh_token)).status).toBe(403);
      expect((await resourceOwner(clientId, user.email)).status).toBe(403);
    }, 30_000);

    it('issue 19 finding 8: /userinfo takes a bound access token only as DPoP, with a proof of its key for this request', async () => {
      const key = await keyPair();
      const { tokens } = await login('dpop-userinfo', undefined, { DPoP: await key.proof() });
      const token = tokens.access_token;
      const challenge = (res: Awaited<ReturnType<typeof userinfo>>) => ({
        status: res.status,
        error: (res.body as { error?: string }).error,
        scheme: res.headers.get('www-authenticate')?.split(' ')[0],
      });

      const proof = await userinfoProof(key, token);
      const ok = await userinfo({ authorization: `DPoP ${token}`, DPoP: proof });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ sub: expect.any(String) });
      expect(ok.headers.get('www-authenticate')).toBeNull();

      // RFC 9449 §7.1: as Bearer, without a proof, replayed, for another request, another token or key.
      const stranger = await keyPair();
      const refusals = {
        bearer: await userinfo({ authorization: `Bearer ${token}` }),
        bearerWithProof: await userinfo({
          authorization: `Bearer ${token}`,
          DPoP: await userinfoProof(key, token),
        }),
        noProof: await userinfo({ authorization: `DPoP ${token}` }),
        replayed: await userinfo({ authorization: `DPoP ${token}`, DPoP: proof }),
        noAth: await userinfo({
          authorization: `DPoP ${token}`,
          DPoP: await key.proof('GET', `${system.url}/userinfo`),
        }),
        otherUrl: await userinfo({ authorization: `DPoP ${token}`, DPoP: await key.proof('GET', htu()) }),
        otherKey: await userinfo({
          authorization: `DPoP ${token}`,
          DPoP: await userinfoProof(stranger, token),
        }),
      };
      const seen = Object.fromEntries(Object.entries(refusals).map(([name, res]) => [name, challenge(res)]));
      const invalidToken = { status: 401, error: 'invalid_token', scheme: 'DPoP' };
      const invalidProof = { status: 401, error: 'invalid_dpop_proof', scheme: 'DPoP' };
      expect(seen).toEqual({
        bearer: invalidToken,
        bearerWithProof: invalidToken,
        noProof: invalidProof,
        replayed: invalidProof,
        noAth: invalidProof,
        otherUrl: invalidProof,
        otherKey: invalidToken,
      });
      expect(refusals.bearer.headers.get('www-authenticate')).toMatch(
        /^DPoP error="invalid_token".*algs="[^"]*ES256/,
      );

      // A bearer token stays a Bearer one.
      const { tokens: plain } = await login('bearer-userinfo');
      expect((await userinfo({ authorization: `Bearer ${plain.access_token}` })).status).toBe(200);
      expect(challenge(await userinfo({ authorization: `DPoP ${plain.access_token}` }))).toEqual(
        invalidToken,
      );
    });

    it('refuses a bad or replayed proof with invalid_dpop_proof', async () => {
      const key = await keyPair();
      const { clientId, user } = await login('dpop-bad');
      const wrongHtm = await passwordLogin(
        tenant,
        clientId,
        user.email,
        'x',
        {},
        { DPoP: await key.proof('GET') },
      ).catch((e: Error) => e.message);
      expect(wrongHtm).toMatch(/400.*invalid_dpop_proof/);
      const proof = await key.proof();
      await passwordLogin(tenant, clientId, user.email, 'y', {}, { DPoP: proof });
      const replay = await passwordLogin(tenant, clientId, user.email, 'z', {}, { DPoP: proof }).catch(
        (e: Error) => e.message,
      );
      expect(replay).toMatch(/400.*invalid_dpop_proof/);
    });
  });
});
