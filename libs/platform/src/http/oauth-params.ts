import { InvalidRequest } from './oauth-errors';

/** Parameters of an OAuth request: a JSON or form body, or a query string, as parsed by Express. */
export type OAuthParams = Record<string, unknown>;

const MAX_LENGTH = 4_096;

/**
 * Reads the parameters of a request body or query: anything but a plain object (an array, a string, a
 * missing body) is refused as `invalid_request`.
 */
export function oauthParams(source: unknown): OAuthParams {
  if (source === undefined || source === null) return {};
  if (typeof source !== 'object' || Array.isArray(source)) {
    throw new InvalidRequest('The request parameters must be a JSON object or a form.');
  }
  return source as OAuthParams;
}

/**
 * One string parameter: refused when repeated, not a string, too long, or (when required) missing or
 * empty (RFC 6749 §3.1: parameters must not be included more than once).
 */
export function stringParam(
  params: OAuthParams,
  name: string,
  options: { required: true; max?: number },
): string;
export function stringParam(
  params: OAuthParams,
  name: string,
  options?: { required?: false; max?: number },
): string | undefined;
export function stringParam(
  params: OAuthParams,
  name: string,
  options: { required?: boolean; max?: number } = {},
): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
  if (value === undefined || value === null || value === '') {
    if (options.required) throw new InvalidRequest(`Missing required parameter: ${name}`);
    return undefined;
  }
  if (typeof value !== 'string') throw new InvalidRequest(`Parameter ${name} must be a single string.`);
  // No OAuth parameter contains NUL, and PostgreSQL cannot store one: refused here, not failed later.
  if (value.includes('\u0000'))
    throw new InvalidRequest(`Parameter ${name} must not contain NUL characters.`);
  if (value.length > (options.max ?? MAX_LENGTH)) throw new InvalidRequest(`Parameter ${name} is too long.`);
  return value;
}
