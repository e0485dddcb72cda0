import { MANAGEMENT } from '@libs/testing';
import type { OperationSpec } from './openapi-operations';
import type { RequestContext } from './request-arbitrary';
import type { FieldWeights } from './schema-values';
import { CALLBACK, DASHBOARD_ADMIN, PASSWORD, type TenantSeeds } from './tenant-seeds';

// Calm requests are meant to pass validation (seeds first: a random client id only meets "unknown client");
// wild ones break something in most fields.
const CALM: FieldWeights = { seed: 16, valid: 4, edge: 1, hostile: 0, absent: 1 };
const WILD: FieldWeights = { seed: 3, valid: 3, edge: 2, hostile: 3, absent: 1 };
// Fields whose wrong value costs the service a scrypt run (tens of milliseconds of CPU: a client secret, a
// login): mostly their seed, so that a run is not spent hashing without testing anything new.
const MOSTLY_SEEDED: FieldWeights = { seed: 14, valid: 1, edge: 1, hostile: 2, absent: 4 };
// A password reaching the service is a scrypt run whatever it is: mostly absent.
const MOSTLY_ABSENT: FieldWeights = { seed: 1, valid: 1, edge: 0, hostile: 1, absent: 8 };

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Repeats `value` so that `constantFrom` picks it `times` times as often as a single entry. */
const often = (value: string, times: number) => Array.from({ length: times }, () => value);

/**
 * What fuzzing one operation draws on: the seeds by field name (with the operation's own overrides, so
 * that destructive operations only ever touch the victims), the credentials its security schemes take,
 * and the weights of the fields whose wrong values are expensive.
 */
export function fuzzContext(
  operation: OperationSpec,
  seeds: TenantSeeds,
  origin: string,
  limits: { bodyLimit: number; headerLimit: number },
): RequestContext {
  const clients = [seeds.native.client_id, seeds.web.client_id];
  const common: Record<string, readonly unknown[]> = {
    client_id: clients,
    client_secret: [seeds.web.client_secret],
    refresh_token: [seeds.refreshToken],
    id_token: [seeds.idToken],
    target: clients,
    scope: ['openid', 'openid profile email', 'passthrough', 'openid offline_access', 'read:users', 'email'],
    username: [seeds.user.email],
    password: [PASSWORD],
    device: ['Fuzz Phone'],
    audience: [`${origin}/api/v2/`],
    code: seeds.codes,
    code_verifier: [seeds.codeVerifier],
    code_challenge: [seeds.codeChallenge],
    redirect_uri: [CALLBACK],
    token: seeds.victimRefreshTokens,
    email: [seeds.user.email],
    user_id: [seeds.user.user_id],
    callback: ['cb', 'jQuery123_456.done'],
    q: ['fuzz', 'email:"fuzz-user@example.com"', 'name:fuzz*', 'blocked:false AND fuzz'],
    fields: ['id,device_name', 'name,client_id', 'email'],
    csrf_token: [seeds.dashboard.sessionCsrf],
  };
  const overrides: Record<string, Record<string, readonly unknown[]>> = {
    'GET /api/v2/clients/{id}': { id: [...clients, MANAGEMENT.clientId] },
    'GET /api/v2/users/{id}': { id: [seeds.user.user_id, ...seeds.victims.map((v) => v.user_id)] },
    'PATCH /api/v2/users/{id}': { id: [seeds.victims[0].user_id] },
    'DELETE /api/v2/users/{id}': { id: [seeds.victims[1].user_id] },
    'DELETE /api/v2/device-credentials/{id}': { id: seeds.victimCredentialIds },
    'DELETE /api/v2/refresh-tokens/{id}': { id: seeds.victimCredentialIds },
    'DELETE /api/v2/users/{id}/refresh-tokens': { id: [seeds.victims[0].user_id] },
    'POST /api/v2/refresh-tokens/revoke': {
      ids: [seeds.victimCredentialIds],
      user_id: [seeds.victims[0].user_id],
    },
    'POST /authorize/login': {
      csrf_token: [seeds.authorize.csrfToken],
      login_state: [seeds.authorize.loginState],
    },
    'POST /dashboard/login': {
      csrf_token: [seeds.dashboard.loginCsrf],
      email: [DASHBOARD_ADMIN.email],
      password: [DASHBOARD_ADMIN.password],
    },
    'POST /dashboard/logout': { csrf_token: [seeds.dashboard.logoutCsrf] },
    'GET /dashboard/users/{id}': { id: [seeds.user.user_id, seeds.victims[0].user_id] },
    'GET /dashboard/users/{id}/devices/unlink': {
      id: [seeds.user.user_id, seeds.victims[0].user_id],
      device: ['Fuzz Phone', 'Victim Phone'],
    },
    'POST /dashboard/users/{id}/devices/unlink': {
      id: [seeds.victims[0].user_id],
      device: ['Victim Phone', 'Victim Tablet'],
    },
  };

  const schemes = new Set(operation.security.flatMap((requirement) => Object.keys(requirement)));
  const authorizations: string[] = [];
  if (schemes.has('management')) {
    // Rotating signing keys generates an RSA key, creating a confidential client hashes its secret:
    // valid calls stay rare.
    const full = { 'POST /api/v2/keys/signing/rotate': 1, 'POST /api/v2/clients': 4 }[operation.key] ?? 40;
    const limited = operation.key === 'POST /api/v2/keys/signing/rotate' ? 40 : 16;
    authorizations.push(
      ...often(`Bearer ${seeds.managementToken}`, full),
      ...often(`Bearer ${seeds.limitedManagementToken}`, limited),
    );
  }
  if (schemes.has('client_secret_basic')) {
    authorizations.push(
      basic(seeds.web.client_id, seeds.web.client_secret),
      basic(seeds.native.client_id, ''),
    );
  }
  if (schemes.has('access_token')) {
    authorizations.push(`Bearer ${seeds.userAccessToken}`, `Bearer ${seeds.managementToken}`);
  }
  const cookies: string[] = [];
  if (schemes.has('authorize_csrf')) cookies.push(seeds.authorize.cookie);
  if (schemes.has('dashboard_session')) {
    cookies.push(
      operation.key === 'POST /dashboard/logout' ? seeds.dashboard.logoutSession : seeds.dashboard.session,
    );
  }
  if (operation.path === '/dashboard/login')
    cookies.push(seeds.dashboard.loginCookie, seeds.dashboard.session);

  const expensive = new Set(['client_secret', 'email', 'username', 'login_state']);
  const weights = (base: FieldWeights) => (field: string) =>
    field === 'password' ? MOSTLY_ABSENT : expensive.has(field) ? MOSTLY_SEEDED : base;
  const sources = (base: FieldWeights) => ({
    seeds: { ...common, ...overrides[operation.key] },
    weights: weights(base),
    maxChars: limits.bodyLimit + 1_024,
  });
  return {
    calm: sources(CALM),
    wild: sources(WILD),
    authorizations,
    authorizationOptional: operation.security.some((requirement) => Object.keys(requirement).length === 0),
    cookies,
    origin,
    ...limits,
  };
}
