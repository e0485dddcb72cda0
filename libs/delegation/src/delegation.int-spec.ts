import request from 'supertest';
import { CommandBus } from '@nestjs/cqrs';
import { EventStoreModule } from '@libs/event-store';
import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { JwtModule } from '@libs/jwt';
import { ClientRepository, UserRepository } from '@libs/tenants';
import { createHttpTestApp, type HttpTestApp } from '@libs/testing';
import { CredentialsModule, IssueCredential } from '@libs/credentials';
import { DelegationModule } from '@libs/delegation';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** `/delegation` in process on real PostgreSQL: rate limits per IP and user, and slowed-down guessing. */
describe('/delegation rate limits (HTTP, real PostgreSQL)', () => {
  let t: HttpTestApp;
  let refreshToken: string;

  beforeAll(async () => {
    t = await createHttpTestApp(
      [EventStoreModule.forRoot({ relay: false }), CredentialsModule, JwtModule, DelegationModule],
      {
        DELEGATION_RATE_LIMIT_PER_MINUTE: '3',
      },
    );
    await t.app.get(ClientRepository).create({
      clientId: 'rate-app',
      name: 'Rate app',
      description: '',
      appType: 'native',
      callbacks: [],
      webOrigins: [],
      allowedOrigins: [],
      grantTypes: ['refresh_token', JWT_BEARER],
      tokenEndpointAuthMethod: 'none',
      clientSecretHash: null,
      idTokenLifetimeSeconds: 36000,
      idTokenAlg: 'RS256',
      managementScopes: [],
      refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY },
    });
    const user = await t.app.get(UserRepository).create({
      userId: 'auth0|0123456789abcdef01234567',
      email: 'rate@example.com',
      password: 'a long enough password',
      emailVerified: true,
      name: 'Rate',
      nickname: 'rate',
      picture: null,
      blocked: false,
    });
    refreshToken = (
      await t.app.get(CommandBus).execute(
        new IssueCredential(
          {
            userId: user.userId,
            clientId: 'rate-app',
            deviceName: 'phone',
            scope: 'openid offline_access',
            grant: 'password',
          },
          { correlationId: 'test' },
        ),
      )
    ).refreshToken;
  });
  afterAll(() => t?.close());

  const delegate = (token: string, ip = '10.0.0.1') =>
    request(t.http.getHttpServer())
      .post('/delegation')
      .set('X-Forwarded-For', ip) // not trusted: the limiter keys on the socket address
      .send({ client_id: 'rate-app', grant_type: JWT_BEARER, refresh_token: token });

  it('allows the limit per IP and user, then answers 429 with Auth0’s headers', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await delegate(refreshToken);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.body).toEqual({
      error: 'too_many_requests',
      error_description: 'Too many requests. Try again later.',
    });
    expect(last!.headers['x-ratelimit-limit']).toBe('3');
    expect(last!.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(last!.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('slows down guessing: after 30 unknown tokens from one address, even well-formed requests wait', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 31; i++) statuses.add((await delegate(`guess-${i}`, `10.9.9.${i}`)).status);
    expect(statuses).toEqual(new Set([403, 429]));
    expect((await delegate('guess-final')).status).toBe(429);
  });
});
