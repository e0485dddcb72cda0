import { JWT_BEARER_GRANT } from '@libs/tenants';
import { InvalidRequest, stringParam, UnsupportedGrantType, type OAuthParams } from '@libs/platform';

const API_TYPES = new Set(['app', 'auth0']);

/** A validated `/delegation` request (Auth0's legacy endpoint). */
export interface DelegationRequest {
  clientId: string;
  refreshToken?: string;
  idToken?: string;
  target?: string;
  scope?: string;
  apiType: string;
}

/**
 * Reads `/delegation` parameters as auth0.js v7/v8 and Auth0.Android sent them: `client_id`,
 * `grant_type` (jwt-bearer), `refresh_token` or `id_token`, optional `target`, `scope`, `api_type`
 * (absent → `app`).
 */
export function parseDelegationRequest(params: OAuthParams): DelegationRequest {
  const clientId = stringParam(params, 'client_id', { required: true, max: 128 });
  const grantType = stringParam(params, 'grant_type', { required: true, max: 128 });
  if (grantType !== JWT_BEARER_GRANT) {
    throw new UnsupportedGrantType(`Unsupported grant type: use ${JWT_BEARER_GRANT} at /delegation.`);
  }
  const refreshToken = stringParam(params, 'refresh_token', { max: 512 });
  const idToken = stringParam(params, 'id_token', { max: 8_192 });
  if (!refreshToken && !idToken)
    throw new InvalidRequest('Missing required parameter: refresh_token or id_token');
  if (refreshToken && idToken) throw new InvalidRequest('Send either refresh_token or id_token, not both.');
  const apiType = stringParam(params, 'api_type', { max: 32 }) ?? 'app';
  if (!API_TYPES.has(apiType)) throw new InvalidRequest('api_type must be "app" or "auth0".');
  return {
    clientId,
    refreshToken,
    idToken,
    target: stringParam(params, 'target', { max: 128 }),
    scope: stringParam(params, 'scope', { max: 1_024 }),
    apiType,
  };
}
