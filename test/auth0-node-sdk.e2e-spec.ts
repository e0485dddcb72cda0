import { randomUUID } from 'node:crypto';
import { AuthenticationClient, ManagementClient } from 'auth0';
import { decodeProtectedHeader } from 'jose';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  MANAGEMENT,
  startSystem,
  testKafka,
  type RunningSystem,
} from '@libs/testing';

jest.setTimeout(120_000);

// The SDK always calls https://<domain> and expects `iss` to be https://<domain>/: the tenant runs with
// that PUBLIC_URL, and the SDK's fetch is pointed at the test server. Nothing else is changed.
const DOMAIN = 'legacy-sdk.tenant.test';
const PASSWORD = 'correct horse battery staple';

/**
 * The official `auth0` Node SDK (v4) against the running service, unchanged: the Management API creates
 * an HS256 confidential client and a user and rotates the client's secret; the Authentication API runs
 * the password grant and the refresh_token grant, and the SDK's own id_token validation (HS256 with the
 * client secret) accepts what the service signed.
 */
describe('auth0 Node SDK (e2e)', () => {
  let system: RunningSystem;
  let fetchTenant: typeof fetch;
  let management: ManagementClient;
  let client: { client_id: string; client_secret: string };
  let email: string;

  const auth = (clientSecret: string) =>
    new AuthenticationClient({
      domain: DOMAIN,
      clientId: client.client_id,
      clientSecret,
      idTokenSigningAlg: 'HS256',
      fetch: fetchTenant,
    });
  const login = (authentication: AuthenticationClient) =>
    authentication.oauth.passwordGrant({
      username: email,
      password: PASSWORD,
      scope: 'openid profile email offline_access',
      device: 'SDK laptop',
    } as Parameters<AuthenticationClient['oauth']['passwordGrant']>[0]);

  beforeAll(async () => {
    system = await startSystem({ env: { PUBLIC_URL: `https://${DOMAIN}` } });
    fetchTenant = (input, init) =>
      fetch(
        String(input instanceof Request ? input.url : input).replace(`https://${DOMAIN}`, system.url),
        init,
      );
    management = new ManagementClient({
      domain: DOMAIN,
      clientId: MANAGEMENT.clientId,
      clientSecret: MANAGEMENT.clientSecret,
      fetch: fetchTenant,
    });
    const created = await management.clients.create({
      name: 'SDK web app',
      app_type: 'regular_web',
      grant_types: ['password', 'refresh_token'],
      jwt_configuration: { alg: 'HS256' },
    });
    client = created.data as { client_id: string; client_secret: string };
    email = `sdk-${randomUUID().slice(0, 8)}@example.com`;
    await management.users.create({
      connection: 'Username-Password-Authentication',
      email,
      password: PASSWORD,
    });
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  it('runs oauth.passwordGrant: HS256 id_token the SDK validates with the client secret, and a refresh token', async () => {
    const { data } = await login(auth(client.client_secret));
    expect(data.token_type).toBe('Bearer');
    expect(decodeProtectedHeader(data.id_token!).alg).toBe('HS256');
    expect(data.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.keys(data).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);
  });

  it('runs oauth.refreshTokenGrant with the refresh token the password grant gave', async () => {
    const authentication = auth(client.client_secret);
    const { data } = await login(authentication);
    const refreshed = await authentication.oauth.refreshTokenGrant({ refresh_token: data.refresh_token! });
    expect(refreshed.data.id_token).toBeDefined();
    expect(refreshed.data.refresh_token).toBeUndefined();
  });

  it('runs clients.rotateClientSecret: the new secret signs (SDK-validated), the old one is refused', async () => {
    const rotated = await management.clients.rotateClientSecret({ client_id: client.client_id });
    const newSecret = rotated.data.client_secret!;
    expect(newSecret).not.toBe(client.client_secret);
    expect(rotated.data.jwt_configuration?.alg).toBe('HS256');
    // API instances cache clients for 5 s (Auth0 documents up to 30 s for a rotation to apply).
    await eventually(() =>
      login(auth(client.client_secret)).then(
        () => false,
        (error: { error?: string; statusCode?: number }) =>
          error.error === 'invalid_client' && error.statusCode === 401,
      ),
    );
    const { data } = await eventually(() => login(auth(newSecret)));
    expect(decodeProtectedHeader(data.id_token!).alg).toBe('HS256');
    client = { ...client, client_secret: newSecret };
  });
});
