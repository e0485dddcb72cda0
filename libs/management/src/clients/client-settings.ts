import { LEGACY_REFRESH_TOKEN_POLICY, policyProblem, type RefreshTokenPolicy } from '@libs/domain';
import type { IdTokenAlg } from '@libs/jwt';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import {
  type AppType,
  type GrantType,
  JWT_BEARER_GRANT,
  type ManagementScope,
  type NewClient,
  type TokenEndpointAuthMethod,
  type Client,
} from '@libs/tenants';
import { clientOriginProblem, normalizeClientOrigin } from './client-origins';

/** Auth0's `refresh_token` client object as a body gives it: both types required, the rest optional. */
export type RefreshTokenPolicyInput = Pick<RefreshTokenPolicy, 'rotation_type' | 'expiration_type'> &
  Partial<RefreshTokenPolicy>;

/** The fields of `POST /api/v2/clients` after schema validation (Auth0's snake_case names). */
export interface ClientSettingsInput {
  name: string;
  description?: string;
  app_type?: AppType;
  callbacks?: string[];
  web_origins?: string[];
  allowed_origins?: string[];
  grant_types?: GrantType[];
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
  jwt_configuration?: { lifetime_in_seconds?: number; alg?: IdTokenAlg };
  management_api_scopes?: ManagementScope[];
  refresh_token?: RefreshTokenPolicyInput;
  require_proof_of_possession?: boolean;
  allowed_clients?: string[];
}

/** A client's settings once defaults are applied and cross-field rules hold: all but id and secret. */
export type ClientSettings = Omit<NewClient, 'clientId' | 'clientSecretHash' | 'clientSecretCipher'>;

/** Auth0's default id_token lifetime ("JWT Expiration"): 10 hours. */
export const DEFAULT_ID_TOKEN_LIFETIME_SECONDS = 36_000;

/** The grants a client gets when it names none, per application type. */
export const DEFAULT_GRANT_TYPES: Record<AppType, GrantType[]> = {
  native: ['authorization_code', 'refresh_token', JWT_BEARER_GRANT],
  spa: ['authorization_code', 'refresh_token', JWT_BEARER_GRANT],
  regular_web: ['authorization_code', 'refresh_token', 'client_credentials'],
  non_interactive: ['client_credentials'],
};

// RFC 6749 §4.4: client_credentials is for confidential clients only, which native and spa apps are not;
// a non-interactive application has no user, so it has nothing but client_credentials.
const ALLOWED_GRANT_TYPES: Record<AppType, readonly GrantType[]> = {
  native: ['authorization_code', 'refresh_token', 'password', JWT_BEARER_GRANT],
  spa: ['authorization_code', 'refresh_token', 'password', JWT_BEARER_GRANT],
  regular_web: ['authorization_code', 'refresh_token', 'password', 'client_credentials', JWT_BEARER_GRANT],
  non_interactive: ['client_credentials'],
};

const PUBLIC_APP_TYPES: readonly AppType[] = ['native', 'spa'];
// Schemes that execute or read local content in a user agent; never a place to send a code.
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);

function invalid(property: string, detail: string): ManagementApiError {
  return new ManagementApiError(
    ManagementErrorCode.InvalidBody,
    `Payload validation error: '${detail}' on property ${property}.`,
  );
}

/**
 * Checks one callback: an absolute URL without a fragment (RFC 6749 §3.1.2) and without wildcards
 * (callbacks are matched exactly); http(s) for every app, a private-use scheme such as
 * `com.example.app://callback` (RFC 8252 §7.1) only for native apps.
 */
export function callbackProblem(callback: string, appType: AppType): string | undefined {
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    return `${callback} is not an absolute URL`;
  }
  if (url.hash || callback.includes('#')) return `${callback} must not contain a fragment`;
  if (callback.includes('*')) return `${callback} must not contain a wildcard`;
  if (url.protocol === 'http:' || url.protocol === 'https:')
    return url.hostname ? undefined : `${callback} has no host`;
  if (DANGEROUS_SCHEMES.has(url.protocol)) return `${callback} uses a forbidden scheme`;
  if (appType !== 'native') return `${callback}: custom URI schemes are allowed only for native applications`;
  return undefined;
}

/** Checks and normalizes one origin list; duplicates (after normalization) are kept once. */
function resolveOrigins(property: string, origins: string[] | undefined): string[] {
  for (const origin of origins ?? []) {
    const problem = clientOriginProblem(origin);
    if (problem) throw invalid(property, problem);
  }
  return [...new Set((origins ?? []).map(normalizeClientOrigin))];
}

/** The fields a body gave: DTO instances carry every declared field, `undefined` when it was left out. */
export function givenFields<T extends object>(body: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(body ?? {}).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/**
 * A client's whole refresh-token policy: the fields given, the legacy defaults for the others; refused
 * when Auth0 would refuse the combination (`policyProblem`).
 *
 * @example
 * resolveRefreshTokenPolicy({ rotation_type: 'rotating', expiration_type: 'expiring' }).leeway; // 0
 */
export function resolveRefreshTokenPolicy(input: RefreshTokenPolicyInput | undefined): RefreshTokenPolicy {
  const policy = { ...LEGACY_REFRESH_TOKEN_POLICY, ...givenFields(input) };
  const problem = policyProblem(policy);
  if (problem) throw invalid('refresh_token', problem);
  return policy;
}

/**
 * Applies Auth0's defaults to a create-client body and enforces the rules between its fields.
 *
 * @example
 * resolveClientSettings({ name: 'App', app_type: 'native' }).tokenEndpointAuthMethod; // 'none'
 */
export function resolveClientSettings(input: ClientSettingsInput): ClientSettings {
  const appType = input.app_type ?? 'regular_web';
  const isPublicType = PUBLIC_APP_TYPES.includes(appType);

  const tokenEndpointAuthMethod =
    input.token_endpoint_auth_method ?? (isPublicType ? 'none' : 'client_secret_post');
  if (tokenEndpointAuthMethod === 'none' && !isPublicType) {
    throw invalid('token_endpoint_auth_method', `none is allowed only for native and spa applications`);
  }

  const idTokenAlg = input.jwt_configuration?.alg ?? 'RS256';
  // HS256 is signed with the client secret, which a public client does not have (and could not keep).
  if (idTokenAlg === 'HS256' && tokenEndpointAuthMethod === 'none') {
    throw invalid(
      'jwt_configuration.alg',
      'HS256 requires a client secret; public clients use RS256 or ES256',
    );
  }

  const grantTypes = [...new Set(input.grant_types ?? DEFAULT_GRANT_TYPES[appType])];
  const refused = grantTypes.filter((grant) => !ALLOWED_GRANT_TYPES[appType].includes(grant));
  if (refused.length > 0) {
    throw invalid('grant_types', `${refused.join(', ')} not allowed for ${appType} applications`);
  }

  const callbacks = [...new Set(input.callbacks ?? [])];
  for (const callback of callbacks) {
    const problem = callbackProblem(callback, appType);
    if (problem) throw invalid('callbacks', problem);
  }

  const managementScopes = [...new Set(input.management_api_scopes ?? [])];
  if (managementScopes.length > 0 && !grantTypes.includes('client_credentials')) {
    throw invalid('management_api_scopes', 'requires the client_credentials grant');
  }

  return {
    name: input.name,
    description: input.description ?? '',
    appType,
    callbacks,
    webOrigins: resolveOrigins('web_origins', input.web_origins),
    allowedOrigins: resolveOrigins('allowed_origins', input.allowed_origins),
    grantTypes,
    tokenEndpointAuthMethod,
    idTokenLifetimeSeconds: input.jwt_configuration?.lifetime_in_seconds ?? DEFAULT_ID_TOKEN_LIFETIME_SECONDS,
    idTokenAlg,
    managementScopes,
    refreshToken: resolveRefreshTokenPolicy(input.refresh_token),
    requireProofOfPossession: input.require_proof_of_possession ?? false,
    allowedClients: [...new Set(input.allowed_clients ?? [])],
  };
}

/** The settings of a stored client, written as a create-client body: what a partial update starts from. */
export function settingsInputOf(client: Client): ClientSettingsInput {
  return {
    name: client.name,
    description: client.description,
    app_type: client.appType,
    callbacks: client.callbacks,
    web_origins: client.webOrigins,
    allowed_origins: client.allowedOrigins,
    grant_types: client.grantTypes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    jwt_configuration: { lifetime_in_seconds: client.idTokenLifetimeSeconds, alg: client.idTokenAlg },
    management_api_scopes: client.managementScopes,
    refresh_token: client.refreshToken,
    require_proof_of_possession: client.requireProofOfPossession ?? false,
    allowed_clients: client.allowedClients ?? [],
  };
}
