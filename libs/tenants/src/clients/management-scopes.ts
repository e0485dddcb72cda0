/** Every Management API v2 scope this tenant knows; the bootstrap client is granted all of them. */
export const MANAGEMENT_SCOPES = [
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'update:client_keys',
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'read:device_credentials',
  'create:device_credentials',
  'delete:device_credentials',
  'read:refresh_tokens',
  'delete:refresh_tokens',
  'read:signing_keys',
  'create:signing_keys',
  'update:signing_keys',
] as const;

/** One Management API scope. */
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

/** Whether `value` names a Management API scope. */
export function isManagementScope(value: string): value is ManagementScope {
  return (MANAGEMENT_SCOPES as readonly string[]).includes(value);
}

/** Splits an OAuth `scope` string into its distinct values (RFC 6749 §3.3: space-delimited). */
export function parseScope(scope: string | undefined): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/\s+/).filter(Boolean))];
}

/** The scopes of `required` that `granted` lacks, in the order they were required. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const held = new Set(granted);
  return required.filter((scope) => !held.has(scope));
}

/** The `aud` of Management API access tokens: `<PUBLIC_URL>/api/v2/`, as Auth0 writes it. */
export function managementAudience(config: { publicUrl: string }): string {
  return `${config.publicUrl.replace(/\/+$/, '')}/api/v2/`;
}

/** JOSE `typ` of Management API access tokens (RFC 9068), so no other kind of JWT passes for one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
