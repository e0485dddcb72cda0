import { createHash, randomBytes } from 'node:crypto';
import type { TenantClient } from '@libs/testing';

/** Helpers shared by the security regression suite (test/security/*.e2e-spec.ts). */

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const PASSWORD = 'correct horse battery staple';
/** Auth0's answer to an unusable refresh token, at /delegation and at the refresh_token grant. */
export const INVALID_REFRESH_TOKEN = {
  error: 'invalid_grant',
  error_description: 'Unknown or invalid refresh token.',
};
/** Every grant a native app of these tests may use. */
export const NATIVE_GRANTS = ['authorization_code', 'refresh_token', JWT_BEARER, 'password'];

/** A native (public) client with every grant, under a fresh name. */
export function nativeClient(tenant: TenantClient, name: string, callback = `com.example.${name}://cb`) {
  return tenant.createClient({ name, app_type: 'native', callbacks: [callback], grant_types: NATIVE_GRANTS });
}

/** A password-grant login for a device; resolves with the whole token response. */
export async function passwordLogin(
  tenant: TenantClient,
  clientId: string,
  email: string,
  device = 'Pixel 9',
  extra: Record<string, string> = {},
) {
  const res = await tenant.form('/oauth/token', {
    grant_type: 'password',
    client_id: clientId,
    username: email,
    password: PASSWORD,
    scope: 'openid profile email offline_access',
    device,
    ...extra,
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; id_token: string; refresh_token: string };
}

/** `POST /delegation` with a refresh token (or, with `{ id_token }` in `extra`, an id_token). */
export function delegate(
  tenant: TenantClient,
  clientId: string,
  refreshToken: string | undefined,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  return tenant.json(
    'POST',
    '/delegation',
    {
      client_id: clientId,
      grant_type: JWT_BEARER,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      ...extra,
    },
    headers,
  );
}

/** `POST /delegation` with an id_token. */
export function delegateIdToken(tenant: TenantClient, clientId: string, idToken: string) {
  return delegate(tenant, clientId, undefined, { id_token: idToken });
}

/** `POST /oauth/token` with `grant_type=refresh_token`. */
export function refreshGrant(
  tenant: TenantClient,
  clientId: string,
  refreshToken: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  return tenant.form(
    '/oauth/token',
    { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken, ...extra },
    headers,
  );
}

/** A PKCE pair (RFC 7636, S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The status and body of a response, for one `toEqual` that shows both on failure. */
export function outcome(res: { status: number; body: unknown }): { status: number; body: unknown } {
  return { status: res.status, body: res.body };
}
