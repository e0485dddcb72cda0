import request from 'supertest';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AuthenticationModule } from '@libs/authentication';
import { CredentialsModule, IssueCredential, RevokeCredential } from '@libs/credentials';
import { DelegationModule } from '@libs/delegation';
import { EventStoreModule } from '@libs/event-store';
import { JwtModule } from '@libs/jwt';
import { JWT_BEARER_GRANT, UserRepository } from '@libs/tenants';
import { ClientsService, ManagementModule, UsersService } from '@libs/management';
import { SecretKeys } from '@libs/security';
import { createHttpTestApp, type HttpTestApp } from '@libs/testing';

const PASSWORD = 'correct horse battery staple';
const INVALID = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };

interface FailureRow {
  endpoint: string;
  client_id: string;
  credential_id: string | null;
  user_id: string | null;
  device_name: string | null;
  reason: string;
  ip: string;
  correlation_id: string;
}

/**
 * Refused refresh-token exchanges are recorded in `delegation_failures` — at /delegation and at the
 * refresh_token grant, with the reason and the credential the token named — never with the token or
 * its hash; the success path writes nothing there, and a failed insert still answers 403.
 */
describe('delegation failures (HTTP in process, real PostgreSQL)', () => {
  let t: HttpTestApp;
  let sql: DataSource;
  let appA: string;
  let appB: string;
  const users: Record<string, string> = {};
  const tokens: Record<string, { refreshToken: string; credentialId: string }> = {};

  const http = () => request(t.http.getHttpServer());
  const delegate = (clientId: string, refreshToken: string) =>
    http()
      .post('/delegation')
      .send({ client_id: clientId, grant_type: JWT_BEARER_GRANT, refresh_token: refreshToken });
  const refreshGrant = (clientId: string, refreshToken: string) =>
    http()
      .post('/oauth/token')
      .send({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });
  const failures = async () =>
    sql.query<FailureRow[]>(
      `SELECT endpoint, client_id, credential_id, user_id, device_name, reason, ip, correlation_id
         FROM delegation_failures ORDER BY id`,
    );

  beforeAll(async () => {
    t = await createHttpTestApp(
      [
        EventStoreModule.forRoot({ relay: false }),
        CredentialsModule,
        JwtModule,
        ManagementModule,
        AuthenticationModule,
        DelegationModule,
      ],
      { DELEGATION_FAILURE_LIMIT_PER_MINUTE: '12' },
    );
    sql = t.app.get(DataSource);
    const clients = t.app.get(ClientsService);
    const grants = ['password', 'refresh_token', JWT_BEARER_GRANT] as const;
    const create = async (name: string) =>
      (await clients.createClient({ name, app_type: 'native', callbacks: [], grant_types: [...grants] }))
        .client.clientId;
    appA = await create('App A');
    appB = await create('App B');
    for (const [name, device] of [
      ['ada', 'Pixel 9'],
      ['bob', 'iPad'],
      ['cyd', 'Mac'],
    ]) {
      const user = await t.app.get(UsersService).createUser({
        connection: 'Username-Password-Authentication',
        email: `${name}@example.com`,
        password: PASSWORD,
      });
      users[name] = user.userId;
      const issued = await http()
        .post('/oauth/token')
        .send({
          grant_type: 'password',
          client_id: appA,
          username: `${name}@example.com`,
          password: PASSWORD,
          scope: 'openid offline_access',
          device,
        });
      expect(issued.status).toBe(200);
      const [{ stream_id }] = await sql.query(
        `SELECT stream_id FROM events WHERE type = 'TokenIssued' AND data ->> 'user_id' = $1`,
        [user.userId],
      );
      tokens[name] = { refreshToken: issued.body.refresh_token, credentialId: stream_id };
    }
  }, 60_000);
  afterAll(() => t?.close());

  it('records an unknown token at /delegation with no credential', async () => {
    const res = await delegate(appA, 'not-a-token-anyone-was-given');
    expect([res.status, res.body]).toEqual([403, INVALID]);
    expect((await failures()).at(-1)).toEqual({
      endpoint: 'delegation',
      client_id: appA,
      credential_id: null,
      user_id: null,
      device_name: null,
      reason: 'unknown_token',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      correlation_id: expect.any(String),
    });
  });

  it('records another client’s token at the refresh_token grant, naming the credential', async () => {
    const res = await refreshGrant(appB, tokens.ada.refreshToken);
    expect([res.status, res.body]).toEqual([403, INVALID]);
    expect((await failures()).at(-1)).toMatchObject({
      endpoint: 'refresh_token',
      client_id: appB,
      credential_id: tokens.ada.credentialId,
      user_id: users.ada,
      device_name: 'Pixel 9',
      reason: 'wrong_client',
    });
  });

  it('records a revoked token', async () => {
    await t.app
      .get(CommandBus)
      .execute(new RevokeCredential(tokens.ada.credentialId, 'management_api', 'mgmt@clients', 'test'));
    expect((await delegate(appA, tokens.ada.refreshToken)).status).toBe(403);
    expect((await failures()).at(-1)).toMatchObject({
      endpoint: 'delegation',
      client_id: appA,
      credential_id: tokens.ada.credentialId,
      reason: 'revoked',
    });
  });

  it('records a blocked user (revocations not yet written) and a deleted one', async () => {
    // Straight to the row, as in the moment before the revocations of a block are written.
    await t.app.get(UserRepository).update(users.bob, { blocked: true });
    expect((await delegate(appA, tokens.bob.refreshToken)).status).toBe(403);
    expect((await failures()).at(-1)).toMatchObject({
      credential_id: tokens.bob.credentialId,
      reason: 'user_blocked',
    });

    await sql.query('DELETE FROM users WHERE user_id = $1', [users.cyd]);
    expect((await refreshGrant(appA, tokens.cyd.refreshToken)).status).toBe(403);
    expect((await failures()).at(-1)).toMatchObject({
      endpoint: 'refresh_token',
      credential_id: tokens.cyd.credentialId,
      user_id: users.cyd,
      device_name: 'Mac',
      reason: 'user_missing',
    });
  });

  it('never stores a token or its hash', async () => {
    const keys = t.app.get(SecretKeys);
    const [{ dump }] = await sql.query(
      `SELECT coalesce(string_agg(f::text, ' '), '') AS dump FROM delegation_failures f`,
    );
    for (const { refreshToken } of Object.values(tokens)) {
      expect(dump).not.toContain(refreshToken);
      expect(dump).not.toContain(keys.refreshTokenHash(refreshToken));
    }
    expect(dump).not.toContain('not-a-token-anyone-was-given');
  });

  it('writes nothing on success', async () => {
    const user = await t.app.get(UsersService).createUser({
      connection: 'Username-Password-Authentication',
      email: 'dee@example.com',
      password: PASSWORD,
    });
    const issued = await t.app.get(CommandBus).execute(
      new IssueCredential(
        {
          userId: user.userId,
          clientId: appA,
          deviceName: 'Phone',
          scope: 'openid offline_access',
          grant: 'password',
        },
        { correlationId: 'test' },
      ),
    );
    const before = (await failures()).length;
    expect((await delegate(appA, issued.refreshToken)).status).toBe(200);
    expect((await refreshGrant(appA, issued.refreshToken)).status).toBe(200);
    expect((await failures()).length).toBe(before);
  });

  it('is append-only', async () => {
    await expect(sql.query(`UPDATE delegation_failures SET reason = 'x'`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM delegation_failures`)).rejects.toThrow(/append-only/);
  });

  it('still answers 403 when the failure cannot be recorded', async () => {
    await sql.query('ALTER TABLE delegation_failures RENAME TO delegation_failures_away');
    try {
      const res = await delegate(appA, 'another-unknown-token');
      expect([res.status, res.body]).toEqual([403, INVALID]);
    } finally {
      await sql.query('ALTER TABLE delegation_failures_away RENAME TO delegation_failures');
    }
  });

  it('records no row for a guess the failure limit refuses (429): a guessing flood stays bounded', async () => {
    const before = (await failures()).length;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await delegate(appA, `guess-${i}`)).status);
    expect(statuses).toContain(429);
    expect((await failures()).length - before).toBe(statuses.filter((s) => s === 403).length);
  });
});
