import { randomUUID } from 'node:crypto';
import { eventTopic } from '@libs/messaging';
import { deleteTopics, startSystem, TenantClient, testKafka, type RunningSystem } from '@libs/testing';
import {
  delegate,
  delegateIdToken,
  INVALID_REFRESH_TOKEN,
  nativeClient,
  outcome,
  PASSWORD,
  passwordLogin,
  refreshGrant,
} from '../fixtures/oauth';

jest.setTimeout(120_000);

const INVALID_ID_TOKEN = { error: 'invalid_grant', error_description: 'Invalid id_token.' };
// Auth0's text for a deleted user's refresh token, which its SDKs match on.
const USER_DELETED = {
  error: 'invalid_grant',
  error_description: "The refresh_token was generated for a user who doesn't exist anymore.",
};

/**
 * Security regression suite, property 4: once a user is blocked (`PATCH blocked: true`) or deleted
 * (`DELETE`), none of their tokens works any more — refresh tokens at /delegation and at the refresh_token
 * grant, id_tokens at /delegation — and unblocking does not bring the refresh tokens back.
 */
describe('security: a blocked or deleted user’s tokens stop working (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let app: { client_id: string };

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    app = await nativeClient(tenant, 'lifecycle');
  });
  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  });

  /** A user with a refresh token and an id_token, both shown to work before the change under test. */
  const userWithTokens = async () => {
    const user = await tenant.createUser(`life-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);
    const login = await passwordLogin(tenant, app.client_id, user.email, 'Phone');
    expect((await delegate(tenant, app.client_id, login.refresh_token)).status).toBe(200);
    expect((await refreshGrant(tenant, app.client_id, login.refresh_token)).status).toBe(200);
    expect((await delegateIdToken(tenant, app.client_id, login.id_token)).status).toBe(200);
    return { user, path: `/users/${encodeURIComponent(user.user_id)}`, ...login };
  };
  const expectAllRefused = async (
    tokens: { refresh_token: string; id_token: string },
    refused: unknown = INVALID_REFRESH_TOKEN,
  ) => {
    expect(outcome(await delegate(tenant, app.client_id, tokens.refresh_token))).toEqual({
      status: 403,
      body: refused,
    });
    expect(outcome(await refreshGrant(tenant, app.client_id, tokens.refresh_token))).toEqual({
      status: 403,
      body: refused,
    });
    expect(outcome(await delegateIdToken(tenant, app.client_id, tokens.id_token))).toEqual({
      status: 403,
      body: INVALID_ID_TOKEN,
    });
  };

  it('refuses a blocked user’s refresh token at both endpoints and their id_token at /delegation', async () => {
    const victim = await userWithTokens();
    expect((await tenant.management('PATCH', victim.path, { blocked: true })).status).toBe(200);
    await expectAllRefused(victim);
  });

  it('keeps a blocked user’s refresh tokens revoked after unblocking (blocking revoked them)', async () => {
    const victim = await userWithTokens();
    await tenant.management('PATCH', victim.path, { blocked: true });
    await tenant.management('PATCH', victim.path, { blocked: false });
    expect(outcome(await delegate(tenant, app.client_id, victim.refresh_token))).toEqual({
      status: 403,
      body: INVALID_REFRESH_TOKEN,
    });
    expect((await refreshGrant(tenant, app.client_id, victim.refresh_token)).status).toBe(403);
    // Unblocked, the user logs in again and gets a token that works.
    const fresh = await passwordLogin(tenant, app.client_id, victim.user.email, 'Phone');
    expect((await delegate(tenant, app.client_id, fresh.refresh_token)).status).toBe(200);
  });

  it('refuses a blocked user’s password login', async () => {
    const victim = await userWithTokens();
    await tenant.management('PATCH', victim.path, { blocked: true });
    await expect(passwordLogin(tenant, app.client_id, victim.user.email)).rejects.toThrow(
      /login failed: 40\d/,
    );
  });

  it('refuses a deleted user’s refresh token at both endpoints and their id_token at /delegation', async () => {
    const victim = await userWithTokens();
    expect((await tenant.management('DELETE', victim.path)).status).toBe(204);
    await expectAllRefused(victim, USER_DELETED);
  });

  it('does not hand a deleted user’s tokens to a new user created with the same email', async () => {
    const victim = await userWithTokens();
    await tenant.management('DELETE', victim.path);
    const successor = await tenant.createUser(victim.user.email, PASSWORD);
    expect(successor.user_id).not.toBe(victim.user.user_id);
    await expectAllRefused(victim, USER_DELETED);
  });
});
